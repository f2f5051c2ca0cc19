import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const reportingConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3005, min: 1, max: 65535 }),
};

export const loadReportingConfig = (source = process.env) => loadConfig(reportingConfigSpec, source);
export type ReportingConfig = ReturnType<typeof loadReportingConfig>;
