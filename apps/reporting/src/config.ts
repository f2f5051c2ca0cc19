import {
  accessTokenConfig,
  commonConfig,
  databaseConfig,
  env,
  loadConfig,
  sealingKeySetting,
} from '@sextant/platform/config';

/** Development and test only: production refuses to start without REPORTING_WEBHOOK_SECRET_KEY. */
const DEVELOPMENT_WEBHOOK_SECRET_KEY = Buffer.alloc(32, 'sextant-development-only').toString('base64');

export const reportingConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  ...accessTokenConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3005, min: 1, max: 65535 }),
  REPORTING_REBUILD_ON_START: env.bool({
    doc: 'replay history into the marts at start when this mart version was never fully built',
    default: true,
  }),
  REPORTING_DETECTION_INTERVAL_MS: env.int({
    doc: 'scheduled signal detection: each tenant with marts is judged (yesterday, UTC) at most once per this interval across replicas; 0 turns it off',
    default: 3_600_000,
    min: 0,
  }),
  REPORTING_WEBHOOK_SECRET_KEY: env.string({
    doc: 'base64 of 32 random bytes: AES-256-GCM key sealing the webhook signing secrets at rest (required in production)',
    default: '',
    secret: true,
  }),
  REPORTING_WEBHOOK_POLL_MS: env.int({
    doc: 'how often a replica looks for due webhook deliveries; 0 turns delivery off on this replica',
    default: 1_000,
    min: 0,
  }),
  REPORTING_WEBHOOK_MAX_ATTEMPTS: env.int({
    doc: 'attempts per webhook delivery',
    default: 6,
    min: 1,
    max: 20,
  }),
  REPORTING_WEBHOOK_RETRY_BASE_MS: env.int({
    doc: 'delay after the first failed attempt; doubles with each further one, with +-20% jitter (default: 2, 4, 8, 16, 32 min)',
    default: 120_000,
    min: 10,
  }),
  REPORTING_READ_CACHE_ENTRIES: env.int({
    doc: 'dashboard answers (overview, channel table, time series) kept per replica, keyed by the tenant mart version they were read at (never served after a change); 0 turns the cache off',
    default: 10_000,
    min: 0,
  }),
  REPORTING_READ_MAX_STALENESS_MS: env.int({
    doc: 'how stale a cached dashboard answer may be served, without asking the database whether its tenant marts changed (timed from when it was last known current); 0 (the default) asks on every read: every change is seen at once. A tenant whose marts change every second is otherwise read afresh on every request',
    default: 0,
    min: 0,
    max: 60_000,
  }),
  REPORTING_WEBHOOK_TIMEOUT_MS: env.int({ doc: 'timeout of one webhook request', default: 5_000, min: 100 }),
};

export function loadReportingConfig(source = process.env) {
  const config = loadConfig(reportingConfigSpec, source);
  const key = sealingKeySetting(
    'REPORTING_WEBHOOK_SECRET_KEY',
    config.REPORTING_WEBHOOK_SECRET_KEY,
    config.NODE_ENV,
    reportingConfigSpec.REPORTING_WEBHOOK_SECRET_KEY.doc,
    DEVELOPMENT_WEBHOOK_SECRET_KEY,
  );
  return Object.freeze({ ...config, REPORTING_WEBHOOK_SECRET_KEY: key });
}
export type ReportingConfig = ReturnType<typeof loadReportingConfig>;

/** Injection token of the reporting service's configuration. */
export const REPORTING_CONFIG = Symbol('REPORTING_CONFIG');
