import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const forecastingConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3004, min: 1, max: 65535 }),
  FORECAST_JOB_SIZE: env.int({ doc: 'SKUs per job on the work topic', default: 50, min: 1, max: 10_000 }),
  FORECAST_JOB_PARTITIONS: env.int({
    doc: 'partitions of the work topic (the most worker replicas that share a run)',
    default: 12,
    min: 1,
    max: 1_000,
  }),
  FORECAST_JOB_SESSION_TIMEOUT_MS: env.int({
    doc: 'Kafka session timeout of the job consumer (how soon a crashed worker its jobs move on)',
    default: 30_000,
    min: 6_000,
    max: 300_000,
  }),
  FORECAST_SCHEDULER_INTERVAL_MS: env.int({
    doc: 'how often a replica looks for due scheduled runs (0: never)',
    default: 30_000,
    min: 0,
  }),
};

export const loadForecastingConfig = (source = process.env) => loadConfig(forecastingConfigSpec, source);
export type ForecastingConfig = ReturnType<typeof loadForecastingConfig>;

export const FORECASTING_CONFIG = Symbol('FORECASTING_CONFIG');
