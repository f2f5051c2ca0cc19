import { loadAuthConfig } from './config';

const base = { KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://a@b/c' };

describe('auth config', () => {
  it('requires the key-encryption key in production and checks its size', () => {
    expect(() => loadAuthConfig({ ...base })).toThrow(/AUTH_KEY_ENCRYPTION_KEY is required in production/);
    expect(() => loadAuthConfig({ ...base, AUTH_KEY_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(
      /exactly 32 bytes/,
    );
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadAuthConfig({ ...base, AUTH_KEY_ENCRYPTION_KEY: key }).AUTH_KEY_ENCRYPTION_KEY).toBe(key);
  });

  it('uses a development key outside production', () => {
    const config = loadAuthConfig({ ...base, NODE_ENV: 'test' });
    expect(Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    expect(config.AUTH_ACCESS_TOKEN_TTL_SECONDS).toBe(600);
  });
});
