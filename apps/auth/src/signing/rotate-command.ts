import { createServiceDataSource } from '@sextant/platform/database';
import { ConfigError } from '@sextant/platform/config';
import { loadAuthConfig } from '../config';
import { rotateSigningKey } from './key-rotation';

/**
 * `node dist/apps/auth/src/main.js rotate-signing-key`: publishes the next signing key now; the
 * replicas start signing with it after AUTH_KEY_PUBLISH_AHEAD_SECONDS (they reread the keys every
 * AUTH_KEY_RELOAD_SECONDS) and the old key leaves the JWKS one access-token lifetime later.
 */
export async function main(): Promise<void> {
  let config;
  try {
    config = loadAuthConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const dataSource = await createServiceDataSource({
    schema: 'auth',
    url: config.DATABASE_URL,
    entities: [],
  }).initialize();
  try {
    const rotation = await dataSource.transaction((m) =>
      rotateSigningKey(m, Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64'), {
        publishAheadSeconds: config.AUTH_KEY_PUBLISH_AHEAD_SECONDS,
        retireAfterSeconds: config.AUTH_ACCESS_TOKEN_TTL_SECONDS + 60,
      }),
    );
    process.stdout.write(
      `next signing key ${rotation.kid} signs from ${rotation.signsFrom.toISOString()}; ` +
        `the keys it replaces retire at ${new Date(rotation.previousRetireAt).toISOString()}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}
