import { ingestionOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { purgeByTimeIndexMigration } from '@sextant/platform/database';
import { outboxBatchesMigration, outboxCompressionMigration } from '@sextant/platform/messaging';
import { type IngestionConfig, loadIngestionConfig } from './config';
import { DeadLetter } from './dead-letters/dead-letter.entity';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { Profile, ProfileIdentifier } from './identity/profile.entity';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Identity1764400000000 } from './migrations/1764400000000-Identity';
import { Privacy1764700000000 } from './migrations/1764700000000-Privacy';
import { TrackedMessageProfiles1764750000000 } from './migrations/1764750000000-TrackedMessageProfiles';
import { ConsentRequirements1764800000000 } from './migrations/1764800000000-ConsentRequirements';
import {
  DEAD_LETTERS_PURGE,
  Retention1764850000000,
  TRACKED_MESSAGES_PURGE,
} from './migrations/1764850000000-Retention';
import { RetentionSettingsRow } from './retention/retention-settings.entity';
import { RetentionModule } from './retention/retention.module';
import { PrivacyRequest, PrivacyRequestService, SuppressedIdentifier } from './privacy/privacy.entities';
import { PrivacyModule } from './privacy/privacy.module';
import { SubjectRequestsConsumer } from './privacy/subject-requests.consumer';
import { Tracking1764500000000 } from './migrations/1764500000000-Tracking';
import { Ping } from './pings/ping.entity';
import { PingsModule } from './pings/pings.module';
import { SourceHealthMinute } from './source-health/source-health.entity';
import { SourceHealthModule } from './source-health/source-health.module';
import { acceptCompressedBodies } from './tracking/body-decoding';
import { TrackedMessage } from './tracking/tracked-message.entity';
import { TrackingModule } from './tracking/tracking.module';
import { TrackingSettingsRow } from './tracking-settings/tracking-settings.entity';
import { TrackingSettingsModule } from './tracking-settings/tracking-settings.module';
import { Commerce1764550000000 } from './migrations/1764550000000-Commerce';
import { CommerceOrder } from './orders/order.entity';
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
  TrackedMessage,
  DeadLetter,
  TrackingSettingsRow,
  SourceHealthMinute,
  WebhookSource,
  WebhookDelivery,
  CommerceOrder,
  PayPalCertificate,
  AdSpend,
  PrivacyRequest,
  PrivacyRequestService,
  SuppressedIdentifier,
  RetentionSettingsRow,
];
export const migrations = [
  Initial1763800000000,
  Identity1764400000000,
  Tracking1764500000000,
  Commerce1764550000000,
  Privacy1764700000000,
  TrackedMessageProfiles1764750000000,
  ConsentRequirements1764800000000,
  Retention1764850000000,
  outboxBatchesMigration('ingestion'),
  outboxCompressionMigration('ingestion'),
  purgeByTimeIndexMigration([TRACKED_MESSAGES_PURGE, DEAD_LETTERS_PURGE]),
];

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
      configure: async (app) => {
        acceptCompressedBodies(app.getHttpAdapter().getInstance(), '/api/v1/ingestion/v1/');
        installBodyParsers(app);
      },
      subscribers: [SubjectRequestsConsumer],
    },
    features: [
      PingsModule,
      TrackingModule.register({
        maxMergesPerProfile: config.IDENTITY_MAX_MERGES_PER_PROFILE,
        maxAnonymousIdsPerProfile: config.IDENTITY_MAX_ANONYMOUS_IDS_PER_PROFILE,
      }),
      TrackingSettingsModule,
      SourceHealthModule,
      DeadLettersModule,
      WebhooksModule.forConfig(config),
      SpendModule,
      PrivacyModule,
      RetentionModule,
    ],
  };
}
