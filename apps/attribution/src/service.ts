import { attributionOpenApiDocument } from '@sextant/contracts';
import type { ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { type AttributionConfig, loadAttributionConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';

export const entities: ClassType[] = [];
export const migrations = [Initial1763800000000];

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
    },
    features: [],
  };
}
