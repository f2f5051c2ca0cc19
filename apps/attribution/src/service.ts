import { attributionOpenApiDocument } from '@sextant/contracts';
import type { ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { AttributionModule } from './attribution.module';
import { type AttributionConfig, loadAttributionConfig } from './config';
import { JourneysConsumer } from './journeys/journeys.consumer';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Journeys1764000000000 } from './migrations/1764000000000-Journeys';
import { RunWorker } from './runs/run-worker.consumer';

export const entities: ClassType[] = [];
export const migrations = [Initial1763800000000, Journeys1764000000000];

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
      subscribers: [JourneysConsumer, RunWorker],
    },
    features: [AttributionModule.forConfig(config)],
  };
}
