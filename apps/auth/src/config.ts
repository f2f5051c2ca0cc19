import {
  commonConfig,
  ConfigError,
  databaseConfig,
  env,
  loadConfig,
  sealingKeySetting,
} from '@sextant/platform/config';
import { parseServiceClients } from './service-identity/service-clients';

/** Development and test only: production refuses to start without AUTH_KEY_ENCRYPTION_KEY. */
const DEVELOPMENT_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 'sextant-development-only').toString('base64');

const seconds = (doc: string, defaultValue: number, min = 1) => env.int({ doc, default: defaultValue, min });

export const authConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3001, min: 1, max: 65535 }),
  AUTH_ISSUER: env.string({ doc: 'the `iss` of access tokens', default: 'https://auth.sextant.local' }),
  AUTH_AUDIENCE: env.string({ doc: 'the `aud` of access tokens', default: 'sextant-api' }),
  AUTH_KEY_ENCRYPTION_KEY: env.string({
    doc: 'base64 of 32 random bytes: AES-256-GCM key sealing the signing keys at rest (required in production)',
    default: '',
    secret: true,
  }),
  AUTH_ACCESS_TOKEN_TTL_SECONDS: seconds('access token lifetime', 600, 30),
  AUTH_REFRESH_IDLE_SECONDS: seconds('a session ends after this long without a refresh', 24 * 3600, 60),
  AUTH_REFRESH_ABSOLUTE_SECONDS: seconds(
    'a session ends this long after login, however used',
    30 * 24 * 3600,
    60,
  ),
  AUTH_KEY_PUBLISH_AHEAD_SECONDS: seconds(
    'rotate-signing-key: how long the next key is published before it signs (longer than verifiers cache the JWKS)',
    15 * 60,
    0,
  ),
  AUTH_KEY_RELOAD_SECONDS: seconds('how often a replica rereads the signing keys (to follow rotations)', 60),
  AUTH_INVITE_TTL_SECONDS: seconds('invitation lifetime', 7 * 24 * 3600, 60),
  AUTH_LOGIN_MAX_FAILURES: env.int({
    doc: 'failed logins of one account before it is locked for a while',
    default: 5,
    min: 1,
  }),
  AUTH_IP_MAX_FAILURES: env.int({
    doc: 'failed logins from one address before it is locked for a while',
    default: 50,
    min: 1,
  }),
  AUTH_LOCK_SECONDS: seconds(
    'first lock; doubles with each further failure, up to AUTH_MAX_LOCK_SECONDS',
    30,
  ),
  AUTH_MAX_LOCK_SECONDS: seconds('longest lock', 15 * 60),
  AUTH_ARGON2_MEMORY_KIB: env.int({
    doc: 'Argon2id memory cost (OWASP: 19456)',
    default: 19_456,
    min: 8_192,
  }),
  AUTH_ARGON2_ITERATIONS: env.int({ doc: 'Argon2id time cost (OWASP: 2)', default: 2, min: 1 }),
  AUTH_SERVICE_CLIENTS: env.string({
    doc: 'services that may get service tokens: JSON {"<name>": {"publicKey": <P-256 public JWK>, "permissions": [...]}} (public keys only)',
    default: '{}',
  }),
  AUTH_ARGON2_PARALLELISM: env.int({ doc: 'Argon2id lanes (OWASP: 1)', default: 1, min: 1 }),
};

export function loadAuthConfig(source = process.env) {
  const config = loadConfig(authConfigSpec, source);
  const problems: string[] = [];
  let keyEncryptionKey = DEVELOPMENT_KEY_ENCRYPTION_KEY;
  try {
    keyEncryptionKey = sealingKeySetting(
      'AUTH_KEY_ENCRYPTION_KEY',
      config.AUTH_KEY_ENCRYPTION_KEY,
      config.NODE_ENV,
      authConfigSpec.AUTH_KEY_ENCRYPTION_KEY.doc,
      DEVELOPMENT_KEY_ENCRYPTION_KEY,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config.AUTH_REFRESH_IDLE_SECONDS > config.AUTH_REFRESH_ABSOLUTE_SECONDS)
    problems.push('AUTH_REFRESH_IDLE_SECONDS must not exceed AUTH_REFRESH_ABSOLUTE_SECONDS');
  const serviceClients = parseServiceClients(config.AUTH_SERVICE_CLIENTS);
  problems.push(...serviceClients.problems);
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    ...config,
    AUTH_KEY_ENCRYPTION_KEY: keyEncryptionKey,
    serviceClients: serviceClients.clients,
  });
}
export type AuthConfig = ReturnType<typeof loadAuthConfig>;

/** Injection token of the auth service's configuration. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
