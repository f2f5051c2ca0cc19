import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { WebhookSourcesService } from './webhook-sources.service';

type SourceRequest = ingestionApi.components['schemas']['WebhookSourceRequest'];

@Controller('api/v1/ingestion/webhook-sources')
export class WebhookSourcesController {
  constructor(private readonly sources: WebhookSourcesService) {}

  @Post()
  @HttpCode(201)
  @RequirePermissions('keys:manage')
  create(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: SourceRequest) {
    return this.sources.create(identity.tenantId, body);
  }

  @Get()
  @RequirePermissions('reports:read')
  async list(@CurrentIdentity() identity: VerifiedIdentity) {
    return { items: await this.sources.list(identity.tenantId) };
  }

  @Get(':sourceId')
  @RequirePermissions('reports:read')
  get(@CurrentIdentity() identity: VerifiedIdentity, @Param('sourceId') sourceId: string) {
    return this.sources.get(identity.tenantId, sourceId);
  }

  @Delete(':sourceId')
  @HttpCode(204)
  @RequirePermissions('keys:manage')
  async remove(@CurrentIdentity() identity: VerifiedIdentity, @Param('sourceId') sourceId: string) {
    await this.sources.remove(identity.tenantId, sourceId);
  }
}
