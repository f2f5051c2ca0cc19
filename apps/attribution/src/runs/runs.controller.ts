import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { RunsService } from './runs.service';

type RunRequest = attributionApi.components['schemas']['RunRequest'];

@Controller('api/v1/attribution/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermissions('models:run')
  create(@CurrentIdentity() identity: VerifiedIdentity, @Body() request: RunRequest) {
    return this.runs.create(identity.tenantId, request);
  }

  @Get()
  @RequirePermissions('reports:read')
  async list(@CurrentIdentity() identity: VerifiedIdentity, @Query('limit') limit?: string) {
    return { runs: await this.runs.list(identity.tenantId, Number(limit ?? 50)) };
  }

  @Get(':runId')
  @RequirePermissions('reports:read')
  get(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return this.runs.get(identity.tenantId, runId);
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @RequirePermissions('models:run')
  cancel(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return this.runs.cancel(identity.tenantId, runId);
  }

  @Get(':runId/result')
  @RequirePermissions('reports:read')
  result(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return this.runs.result(identity.tenantId, runId);
  }

  @Get(':runId/markov')
  @RequirePermissions('reports:read')
  markov(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return this.runs.markov(identity.tenantId, runId);
  }
}
