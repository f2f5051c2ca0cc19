import { attributionOpenApiDocument } from '@sextant/contracts';
import { purgeByTimeIndexMigration, type ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { outboxBatchesMigration, outboxCompressionMigration } from '@sextant/platform/messaging';
import { AttributionModule } from './attribution.module';
import { type AttributionConfig, loadAttributionConfig } from './config';
import { JourneysConsumer } from './journeys/journeys.consumer';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Journeys1764000000000 } from './migrations/1764000000000-Journeys';
import { MarketingMix1764600000000 } from './migrations/1764600000000-MarketingMix';
import { Retention1764850000000, TOUCHPOINTS_PURGE } from './migrations/1764850000000-Retention';
import { acceptCsvBodies } from './mmm/csv-body';
import { MMM_ENTITIES } from './mmm/mmm.entities';
import { MmmConsumer } from './mmm/mmm.consumer';
import { MmmModule } from './mmm/mmm.module';
import { RetentionModule, RetentionWindowsConsumer } from './privacy/retention';
import { SubjectErasureConsumer } from './privacy/subject-erasure.consumer';
import { RunWorker } from './runs/run-worker.consumer';

export const entities: ClassType[] = [...MMM_ENTITIES];
export const migrations = [
  Initial1763800000000,
  Journeys1764000000000,
  MarketingMix1764600000000,
  Retention1764850000000,
  outboxBatchesMigration('attribution'),
  outboxCompressionMigration('attribution'),
  purgeByTimeIndexMigration([TOUCHPOINTS_PURGE]),
];

export function attributionService(
  config: AttributionConfig = loadAttributionConfig(),
): ServiceEntry<AttributionConfig> {
  return {
    definition: {
      name: 'attribution',
      config,
      contract: attributionOpenApiDocument,
      accessTokens: {
        jwksUrl: config.AUTH_JWKS_URL,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
      },
      database: { entities, migrations },
      subscribers: [
        JourneysConsumer,
        RunWorker,
        MmmConsumer,
        SubjectErasureConsumer,
        RetentionWindowsConsumer,
      ],
      configure: async (app) => acceptCsvBodies(app),
    },
    features: [AttributionModule.forConfig(config), MmmModule.forRoot(config), RetentionModule],
  };
}
