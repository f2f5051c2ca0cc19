import { Body, Controller, Get, Put } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { RetentionService } from './retention.service';

type RetentionWindows = ingestionApi.components['schemas']['RetentionWindows'];

@Controller('api/v1/ingestion/privacy/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @RequirePermissions('privacy:manage')
  get(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.retention.view(identity.tenantId);
  }

  @Put()
  @RequirePermissions('privacy:manage')
  replace(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: RetentionWindows) {
    return this.retention.replace(identity.tenantId, body);
  }
}
