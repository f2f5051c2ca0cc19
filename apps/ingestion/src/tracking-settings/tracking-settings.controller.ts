import { Body, Controller, Get, Put } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { TrackingSettingsService } from './tracking-settings.service';

type TrackingSettings = ingestionApi.components['schemas']['TrackingSettings'];

@Controller('api/v1/ingestion/settings/tracking')
export class TrackingSettingsController {
  constructor(private readonly settings: TrackingSettingsService) {}

  @Get()
  @RequirePermissions('reports:read')
  view(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.settings.view(identity.tenantId);
  }

  @Put()
  @RequirePermissions('keys:manage')
  replace(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: TrackingSettings) {
    return this.settings.replace(identity.tenantId, body);
  }
}
