import { forecastingOpenApiDocument } from '@sextant/contracts';
import type { ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { type ForecastingConfig, loadForecastingConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';

export const entities: ClassType[] = [];
export const migrations = [Initial1763800000000];

export function forecastingService(
  config: ForecastingConfig = loadForecastingConfig(),
): ServiceEntry<ForecastingConfig> {
  return {
    definition: {
      name: 'forecasting',
      config,
      contract: forecastingOpenApiDocument,
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
