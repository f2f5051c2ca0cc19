import { env } from './config';

/** Variables every Sextant service reads. */
export const commonConfig = {
  NODE_ENV: env.oneOf(['development', 'test', 'production'] as const, {
    doc: 'development shows stack traces in error bodies; production never does',
    default: 'production',
  }),
  LOG_LEVEL: env.oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, {
    doc: 'pino log level',
    default: 'info',
  }),
  HOST: env.string({ doc: 'address the HTTP server binds', default: '0.0.0.0' }),
  SHUTDOWN_GRACE_MS: env.int({
    doc: 'time allowed to drain in-flight work on SIGTERM',
    default: 10_000,
    min: 0,
  }),
  OTEL_TRACES_FILE: env.string({
    doc: 'append finished spans as JSON lines to this file (local debugging, tests)',
    default: '',
  }),
  KAFKA_BROKERS: env.list({ doc: 'Kafka bootstrap brokers, comma-separated host:port' }),
  KAFKA_TOPIC_PREFIX: env.string({
    doc: 'prefix for every topic and consumer group (isolates test runs)',
    default: '',
  }),
  KAFKA_PARTITIONS: env.int({ doc: 'partitions of each topic created at start-up', default: 3, min: 1 }),
  KAFKA_REPLICATION_FACTOR: env.int({
    doc: 'replication factor of each topic created at start-up',
    default: 1,
    min: 1,
  }),
  CONSUMER_MAX_ATTEMPTS: env.int({
    doc: 'attempts (first + retries) before a message goes to the dead-letter topic',
    default: 4,
    min: 1,
  }),
  CONSUMER_SESSION_TIMEOUT_MS: env.int({
    doc: 'Kafka session timeout of the consumer group: how soon the partitions of a crashed replica move on',
    default: 30_000,
    min: 6_000,
  }),
  CONSUMER_RETRY_BACKOFF_MS: env.int({
    doc: 'first retry delay; doubles with each attempt',
    default: 500,
    min: 0,
  }),
  OUTBOX_POLL_MS: env.int({
    doc: 'outbox relay poll interval while busy or right after a write in this process; an idle relay backs off to 1 s',
    default: 50,
    min: 1,
  }),
  OUTBOX_BATCH_SIZE: env.int({
    doc: 'outbox events published per relay round (a larger outbox write goes whole, alone)',
    default: 500,
    min: 1,
  }),
};

/** Variables of services that own a database schema. */
export const databaseConfig = {
  DATABASE_URL: env.url({
    doc: "PostgreSQL URL of the service's app role (owns nothing, cannot bypass RLS)",
    protocols: ['postgres', 'postgresql'],
    secret: true,
  }),
  DATABASE_OWNER_URL: env.string({
    doc: 'PostgreSQL URL of the schema owner role; only `migrate` uses it',
    default: '',
    secret: true,
  }),
  DATABASE_POOL_SIZE: env.int({ doc: 'connections in the pool', default: 10, min: 1 }),
  DATABASE_POOL_IDLE_MS: env.int({
    doc: 'how long a pooled connection may stay unused before it is closed (a new one costs PostgreSQL a process and cold caches); 0 keeps them open',
    default: 300_000,
    min: 0,
  }),
  MIGRATE_ON_START: env.bool({
    doc: 'run pending migrations (as the owner) before serving; off in production, where a Job runs them',
    default: false,
  }),
};

/** Variables of services that verify access tokens themselves (every service but auth). */
export const accessTokenConfig = {
  AUTH_JWKS_URL: env.url({
    doc: "the auth service's JWKS, e.g. http://auth:3001/.well-known/jwks.json (cached, refetched on an unknown key id)",
    default: 'http://127.0.0.1:3001/.well-known/jwks.json',
    protocols: ['http', 'https'],
  }),
  AUTH_ISSUER: env.string({
    doc: 'the `iss` access tokens must carry',
    default: 'https://auth.sextant.local',
  }),
  AUTH_AUDIENCE: env.string({ doc: 'the `aud` access tokens must carry', default: 'sextant-api' }),
};
