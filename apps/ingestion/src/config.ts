import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const ingestionConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3002, min: 1, max: 65535 }),
};

export const loadIngestionConfig = (source = process.env) => loadConfig(ingestionConfigSpec, source);
export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;
