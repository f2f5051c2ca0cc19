import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const forecastingConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3004, min: 1, max: 65535 }),
};

export const loadForecastingConfig = (source = process.env) => loadConfig(forecastingConfigSpec, source);
export type ForecastingConfig = ReturnType<typeof loadForecastingConfig>;
