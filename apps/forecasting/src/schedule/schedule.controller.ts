import { Body, Controller, Get, Put } from '@nestjs/common';
import type { forecastingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { ScheduleService } from './schedule.service';

@Controller('api/v1/forecasting/schedule')
export class ScheduleController {
  constructor(private readonly schedules: ScheduleService) {}

  @Get()
  @RequirePermissions('reports:read')
  get(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.schedules.get(identity.tenantId);
  }

  @Put()
  @RequirePermissions('models:run')
  set(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: forecastingApi.components['schemas']['ScheduleRequest'],
  ) {
    return this.schedules.set(identity.tenantId, body);
  }
}
