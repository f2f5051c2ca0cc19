import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { DeadLettersService } from './dead-letters.service';

type ListQuery = NonNullable<ingestionApi.operations['listDeadLetters']['parameters']['query']>;
type BulkReplayRequest = ingestionApi.components['schemas']['BulkReplayRequest'];

@Controller('api/v1/ingestion/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @RequirePermissions('reports:read')
  list(@CurrentIdentity() identity: VerifiedIdentity, @Query() query: ListQuery) {
    return this.deadLetters.list(identity.tenantId, query);
  }

  @Post('replay')
  @HttpCode(200)
  @RequirePermissions('keys:manage')
  replayMany(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: BulkReplayRequest) {
    return this.deadLetters.replayMany(identity.tenantId, body);
  }

  @Get(':deadLetterId')
  @RequirePermissions('reports:read')
  get(@CurrentIdentity() identity: VerifiedIdentity, @Param('deadLetterId') deadLetterId: string) {
    return this.deadLetters.get(identity.tenantId, deadLetterId);
  }

  @Post(':deadLetterId/replay')
  @HttpCode(200)
  @RequirePermissions('keys:manage')
  replayOne(@CurrentIdentity() identity: VerifiedIdentity, @Param('deadLetterId') deadLetterId: string) {
    return this.deadLetters.replayOne(identity.tenantId, deadLetterId);
  }
}
