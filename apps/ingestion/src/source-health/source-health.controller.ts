import { Controller, Get, Query } from '@nestjs/common';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { SourceHealthRecorder } from './source-health.recorder';
import { SourceHealthService } from './source-health.service';

@Controller('api/v1/ingestion/sources/health')
export class SourceHealthController {
  constructor(
    private readonly health: SourceHealthService,
    private readonly recorder: SourceHealthRecorder,
  ) {}

  @Get()
  @RequirePermissions('reports:read')
  async list(@CurrentIdentity() identity: VerifiedIdentity, @Query('windowMinutes') windowMinutes?: number) {
    await this.recorder.flush();
    return this.health.list(identity.tenantId, windowMinutes ?? 60);
  }
}
