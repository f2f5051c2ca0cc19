import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { FitsService } from './fits.service';

type Schemas = attributionApi.components['schemas'];

@Controller('api/v1/attribution/mmm/fits')
export class FitsController {
  constructor(private readonly fits: FitsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermissions('models:run')
  create(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: Schemas['MmmFitRequest']) {
    return this.fits.create(identity.tenantId, body);
  }

  @Get()
  @RequirePermissions('reports:read')
  async list(@CurrentIdentity() identity: VerifiedIdentity) {
    return { items: await this.fits.list(identity.tenantId) };
  }

  @Get(':fitId')
  @RequirePermissions('reports:read')
  status(@CurrentIdentity() identity: VerifiedIdentity, @Param('fitId') fitId: string) {
    return this.fits.status(identity.tenantId, fitId);
  }

  @Post(':fitId/cancel')
  @HttpCode(202)
  @RequirePermissions('models:run')
  cancel(@CurrentIdentity() identity: VerifiedIdentity, @Param('fitId') fitId: string) {
    return this.fits.cancel(identity.tenantId, fitId);
  }

  @Get(':fitId/result')
  @RequirePermissions('reports:read')
  result(@CurrentIdentity() identity: VerifiedIdentity, @Param('fitId') fitId: string) {
    return this.fits.result(identity.tenantId, fitId);
  }

  @Post(':fitId/budget')
  @HttpCode(200)
  @RequirePermissions('reports:read')
  budget(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('fitId') fitId: string,
    @Body() body: Schemas['MmmBudgetRequest'],
  ) {
    return this.fits.budget(identity.tenantId, fitId, body);
  }
}
