import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Needs REPORTING_CONFIG, provided globally by the service (see service.ts). */
@Module({ controllers: [WebhooksController], providers: [WebhooksService, WebhookDispatcher] })
export class WebhooksModule {}
