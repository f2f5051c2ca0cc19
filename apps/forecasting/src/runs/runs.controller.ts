import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { RunResultsService } from './run-results.service';
import { type RunRequest, RunsService, runView } from './runs.service';

const page = (limit?: string, offset?: string) => ({
  limit: limit === undefined ? 100 : Number(limit),
  offset: offset === undefined ? 0 : Number(offset),
});

@Controller('api/v1/forecasting/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly results: RunResultsService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermissions('models:run')
  create(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: RunRequest) {
    return this.runs.create(identity.tenantId, body);
  }

  @Get()
  @RequirePermissions('reports:read')
  async list(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    const p = page(limit, offset);
    return { items: await this.runs.list(identity.tenantId, p.limit, p.offset) };
  }

  @Get(':runId')
  @RequirePermissions('reports:read')
  async get(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return runView(await this.runs.get(identity.tenantId, runId));
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @RequirePermissions('models:run')
  cancel(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return this.runs.cancel(identity.tenantId, runId);
  }

  @Get(':runId/results')
  @RequirePermissions('reports:read')
  listResults(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('runId') runId: string,
    @Query() query: Record<string, string | undefined>,
  ) {
    return this.results.results(identity.tenantId, runId, {
      class: query.class,
      method: query.method,
      sku: query.sku,
      status: query.status,
      ...page(query.limit, query.offset),
    });
  }

  @Get(':runId/classifications')
  @RequirePermissions('reports:read')
  classifications(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('runId') runId: string,
    @Query() query: Record<string, string | undefined>,
  ) {
    return this.results.classifications(identity.tenantId, runId, {
      class: query.class,
      ...page(query.limit, query.offset),
    });
  }

  @Get(':runId/accuracy')
  @RequirePermissions('reports:read')
  accuracy(@CurrentIdentity() identity: VerifiedIdentity, @Param('runId') runId: string) {
    return this.results.accuracy(identity.tenantId, runId);
  }
}
