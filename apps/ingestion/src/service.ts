import { ingestionOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { type IngestionConfig, loadIngestionConfig } from './config';
import { Profile, ProfileIdentifier } from './identity/profile.entity';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Identity1764400000000 } from './migrations/1764400000000-Identity';
import { Commerce1764500000000 } from './migrations/1764500000000-Commerce';
import { CommerceOrder } from './orders/order.entity';
import { Ping } from './pings/ping.entity';
import { PingsModule } from './pings/pings.module';
import { AdSpend } from './spend/spend.entity';
import { SpendModule } from './spend/spend.module';
import { PayPalCertificate } from './webhooks/paypal-certificate.entity';
import { installBodyParsers } from './webhooks/raw-body';
import { WebhookDelivery } from './webhooks/webhook-delivery.entity';
import { WebhookSource } from './webhooks/webhook-source.entity';
import { WebhooksModule } from './webhooks/webhooks.module';

export const entities = [
  Ping,
  Profile,
  ProfileIdentifier,
  WebhookSource,
  WebhookDelivery,
  CommerceOrder,
  PayPalCertificate,
  AdSpend,
];
export const migrations = [Initial1763800000000, Identity1764400000000, Commerce1764500000000];

export function ingestionService(
  config: IngestionConfig = loadIngestionConfig(),
): ServiceEntry<IngestionConfig> {
  return {
    definition: {
      name: 'ingestion',
      config,
      contract: ingestionOpenApiDocument,
      accessTokens: {
        jwksUrl: config.AUTH_JWKS_URL,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
      },
      database: { entities, migrations },
      configure: async (app) => installBodyParsers(app),
    },
    features: [PingsModule, WebhooksModule.forConfig(config), SpendModule],
  };
}
