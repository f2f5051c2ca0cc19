import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { intParam } from '../dashboards/query-params';
import { SignalsService } from './signals.service';

type Ops = reportingApi.operations;
type Schemas = reportingApi.components['schemas'];

@Controller('api/v1/reporting/signals')
export class SignalsController {
  constructor(private readonly signals: SignalsService) {}

  @Get()
  @RequirePermissions('reports:read')
  list(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Query() q: NonNullable<Ops['listSignals']['parameters']['query']>,
  ) {
    return this.signals.list(identity.tenantId, {
      status: q.status,
      severity: q.severity,
      limit: intParam(q.limit, 50),
      cursor: q.cursor,
    });
  }

  @Post('detections')
  @HttpCode(200)
  @RequirePermissions('models:run')
  async detect(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: { day: string }) {
    return { raised: await this.signals.detect(identity.tenantId, body.day, identity.userId) };
  }

  @Get(':signalId')
  @RequirePermissions('reports:read')
  get(@CurrentIdentity() identity: VerifiedIdentity, @Param('signalId') signalId: string) {
    return this.signals.get(identity.tenantId, signalId);
  }

  @Patch(':signalId')
  @RequirePermissions('reports:read')
  update(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('signalId') signalId: string,
    @Body() body: { status?: Schemas['SignalStatus']; assigneeId?: string | null },
  ) {
    return this.signals.update(identity.tenantId, signalId, identity.userId, body);
  }

  @Post(':signalId/comments')
  @RequirePermissions('reports:read')
  comment(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('signalId') signalId: string,
    @Body() body: { body: string },
  ) {
    return this.signals.comment(identity.tenantId, signalId, identity.userId, body.body);
  }
}
