import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { PingsService } from './pings.service';

type Operation = ingestionApi.operations['recordPing'];

@Controller('api/v1/ingestion/pings')
export class PingsController {
  constructor(private readonly pings: PingsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermissions('events:write')
  record(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: Operation['requestBody']['content']['application/json'],
  ) {
    return this.pings.record(identity.tenantId, body);
  }
}
