import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const ingestionConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3002, min: 1, max: 65535 }),
  IDENTITY_MAX_MERGES_PER_PROFILE: env.int({
    doc: 'Profiles one profile may absorb through identify/alias; links beyond are refused (counted)',
    default: 100,
    min: 1,
    max: 100_000,
  }),
  IDENTITY_MAX_ANONYMOUS_IDS_PER_PROFILE: env.int({
    doc: 'Anonymous ids one profile may hold; links beyond are refused (counted)',
    default: 500,
    min: 1,
    max: 100_000,
  }),
};

export const loadIngestionConfig = (source = process.env) => loadConfig(ingestionConfigSpec, source);
export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;
