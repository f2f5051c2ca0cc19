import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';
import { mmmConfig } from './mmm/mmm.config';

export const attributionConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3003, min: 1, max: 65535 }),
  ATTRIBUTION_MAX_PERIOD_DAYS: env.int({
    doc: 'Longest period (days, inclusive) a credits query or a data-driven run may cover',
    default: 366,
    min: 1,
    max: 3660,
  }),
  ...mmmConfig,
};

export const loadAttributionConfig = (source = process.env) => loadConfig(attributionConfigSpec, source);
export type AttributionConfig = ReturnType<typeof loadAttributionConfig>;
