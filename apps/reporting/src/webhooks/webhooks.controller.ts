import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { intParam } from '../dashboards/query-params';
import { WebhooksService } from './webhooks.service';

type Ops = reportingApi.operations;
type Schemas = reportingApi.components['schemas'];

@Controller('api/v1/reporting/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequirePermissions('keys:manage')
  async list(@CurrentIdentity() identity: VerifiedIdentity) {
    return { items: await this.webhooks.list(identity.tenantId) };
  }

  @Post()
  @RequirePermissions('keys:manage')
  create(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: Schemas['SignalWebhookRequest']) {
    return this.webhooks.create(identity.tenantId, body);
  }

  @Get(':webhookId')
  @RequirePermissions('keys:manage')
  get(@CurrentIdentity() identity: VerifiedIdentity, @Param('webhookId') webhookId: string) {
    return this.webhooks.get(identity.tenantId, webhookId);
  }

  @Patch(':webhookId')
  @RequirePermissions('keys:manage')
  update(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('webhookId') webhookId: string,
    @Body() body: Schemas['SignalWebhookUpdate'],
  ) {
    return this.webhooks.update(identity.tenantId, webhookId, body);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @RequirePermissions('keys:manage')
  async remove(@CurrentIdentity() identity: VerifiedIdentity, @Param('webhookId') webhookId: string) {
    await this.webhooks.remove(identity.tenantId, webhookId);
  }

  @Post(':webhookId/secret')
  @HttpCode(200)
  @RequirePermissions('keys:manage')
  rotateSecret(@CurrentIdentity() identity: VerifiedIdentity, @Param('webhookId') webhookId: string) {
    return this.webhooks.rotateSecret(identity.tenantId, webhookId);
  }

  @Get(':webhookId/deliveries')
  @RequirePermissions('keys:manage')
  deliveries(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('webhookId') webhookId: string,
    @Query() q: NonNullable<Ops['listSignalWebhookDeliveries']['parameters']['query']>,
  ) {
    return this.webhooks.deliveries(identity.tenantId, webhookId, {
      status: q.status,
      limit: intParam(q.limit, 50),
      cursor: q.cursor,
    });
  }
}
