import { attributionOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { type AttributionConfig, loadAttributionConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const entities: Function[] = [];
export const migrations = [Initial1763800000000];

export function attributionService(config: AttributionConfig = loadAttributionConfig()): ServiceEntry<AttributionConfig> {
  return {
    definition: { name: 'attribution', config, contract: attributionOpenApiDocument, database: { entities, migrations } },
    features: [],
  };
}
