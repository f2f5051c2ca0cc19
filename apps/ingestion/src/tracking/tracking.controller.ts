import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import type { SegmentEventType } from '@sextant/domain/ingestion';
import { type Caller, TrackingService } from './tracking.service';

/** Segment's HTTP Tracking API under `/api/v1/ingestion` (so `host` + `/v1/batch` works for Segment libraries). */
@Controller('api/v1/ingestion/v1')
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  @Post('track')
  @HttpCode(200)
  @RequirePermissions('events:write')
  track(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.single(identity, 'track', body);
  }

  @Post('identify')
  @HttpCode(200)
  @RequirePermissions('events:write')
  identify(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.single(identity, 'identify', body);
  }

  @Post('page')
  @HttpCode(200)
  @RequirePermissions('events:write')
  page(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.single(identity, 'page', body);
  }

  @Post('screen')
  @HttpCode(200)
  @RequirePermissions('events:write')
  screen(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.single(identity, 'screen', body);
  }

  @Post('group')
  @HttpCode(200)
  @RequirePermissions('events:write')
  group(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.single(identity, 'group', body);
  }

  @Post('alias')
  @HttpCode(200)
  @RequirePermissions('events:write')
  alias(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.single(identity, 'alias', body);
  }

  @Post('batch')
  @HttpCode(200)
  @RequirePermissions('events:write')
  batch(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: unknown) {
    return this.tracking.batch(callerOf(identity), body);
  }

  private single(identity: VerifiedIdentity, type: SegmentEventType, body: unknown) {
    return this.tracking.single(callerOf(identity), type, body);
  }
}

function callerOf(identity: VerifiedIdentity): Caller {
  return { tenantId: identity.tenantId, sourceId: identity.userId };
}
