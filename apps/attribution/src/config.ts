import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';
import { mmmConfig } from './mmm/mmm.config';

export const attributionConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3003, min: 1, max: 65535 }),
  ...mmmConfig,
};

export const loadAttributionConfig = (source = process.env) => loadConfig(attributionConfigSpec, source);
export type AttributionConfig = ReturnType<typeof loadAttributionConfig>;
