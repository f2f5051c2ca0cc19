import { Controller, Get, Param, Query } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { CreditsService } from './credits.service';

type CreditsQuery = attributionApi.operations['getAttributionCredits']['parameters']['query'];
type PeriodQuery = attributionApi.operations['compareAttributionModels']['parameters']['query'];

@Controller('api/v1/attribution')
export class CreditsController {
  constructor(private readonly credits: CreditsService) {}

  @Get('credits')
  @RequirePermissions('reports:read')
  byModel(@CurrentIdentity() identity: VerifiedIdentity, @Query() query: CreditsQuery) {
    return this.credits.credits(identity.tenantId, query);
  }

  @Get('comparison')
  @RequirePermissions('reports:read')
  comparison(@CurrentIdentity() identity: VerifiedIdentity, @Query() query: PeriodQuery) {
    return this.credits.compare(identity.tenantId, query.from, query.to);
  }

  @Get('profiles/:profileId/journeys')
  @RequirePermissions('reports:read')
  journeys(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('profileId') profileId: string,
    @Query() query: PeriodQuery,
  ) {
    return this.credits.journeys(identity.tenantId, profileId, query.from, query.to);
  }
}
