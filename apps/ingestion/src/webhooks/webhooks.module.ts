import { type DynamicModule, Module } from '@nestjs/common';
import { INGESTION_CONFIG, type IngestionConfig } from '../config';
import { OrderRecorder } from '../orders/order-recorder';
import { PayPalCertificates } from './paypal-certificates';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookSourcesController } from './webhook-sources.controller';
import { WebhookSourcesService } from './webhook-sources.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Commerce webhooks: sources (with their health), verification, dedup and the canonical orders. */
@Module({})
export class WebhooksModule {
  static forConfig(config: IngestionConfig): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhookSourcesController, WebhooksController],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        WebhookSourcesService,
        WebhooksService,
        PayPalCertificates,
        OrderRecorder,
        WebhookMetrics,
      ],
    };
  }
}
