import {
  accessTokenConfig,
  commonConfig,
  databaseConfig,
  env,
  loadConfig,
  sealingKeySetting,
} from '@sextant/platform/config';

/** Development and test only: production refuses to start without INGESTION_SECRETS_KEY. */
const DEVELOPMENT_SECRETS_KEY = Buffer.alloc(32, 'sextant-ingestion-development-only').toString('base64');

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
  INGESTION_SECRETS_KEY: env.string({
    doc: 'base64 of 32 random bytes: AES-256-GCM key sealing webhook source secrets at rest (required in production)',
    default: '',
    secret: true,
  }),
  INGESTION_PAYPAL_CERT_VALIDITY: env.bool({
    doc: "refuse PayPal signatures whose certificate is not valid now (off only to verify PayPal's archived sandbox samples)",
    default: true,
  }),
  INGESTION_PAYPAL_CERT_CACHE_SECONDS: env.int({
    doc: 'how long a PayPal certificate fetched from a PayPal host is reused',
    default: 24 * 3600,
    min: 60,
  }),
};

export function loadIngestionConfig(source = process.env) {
  const config = loadConfig(ingestionConfigSpec, source);
  const key = sealingKeySetting(
    'INGESTION_SECRETS_KEY',
    config.INGESTION_SECRETS_KEY,
    config.NODE_ENV,
    ingestionConfigSpec.INGESTION_SECRETS_KEY.doc,
    DEVELOPMENT_SECRETS_KEY,
  );
  return Object.freeze({ ...config, INGESTION_SECRETS_KEY: key });
}
export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;

/** Injection token of the ingestion service's configuration. */
export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
