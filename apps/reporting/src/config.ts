import { accessTokenConfig, commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const reportingConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3005, min: 1, max: 65535 }),
  REPORTING_REBUILD_ON_START: env.bool({
    doc: 'replay history into the marts at start when this mart version was never fully built',
    default: true,
  }),
};

export const loadReportingConfig = (source = process.env) => loadConfig(reportingConfigSpec, source);
export type ReportingConfig = ReturnType<typeof loadReportingConfig>;
