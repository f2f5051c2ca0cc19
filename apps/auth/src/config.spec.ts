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

describe('AUTH_SERVICE_CLIENTS', () => {
  const publicKey = {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  };
  const load = (clients: unknown) =>
    loadAuthConfig({ ...base, NODE_ENV: 'test', AUTH_SERVICE_CLIENTS: JSON.stringify(clients) });

  it('reads each service public key and permissions', () => {
    const config = load({ reporting: { publicKey, permissions: ['reports:read'] } });
    expect(config.serviceClients.get('reporting')).toEqual({ publicKey, permissions: ['reports:read'] });
  });

  it('refuses private keys, unknown permissions, bad names and non-JSON', () => {
    expect(() => load({ reporting: { publicKey: { ...publicKey, d: 'secret' }, permissions: [] } })).toThrow(
      /contains a private key/,
    );
    expect(() => load({ reporting: { publicKey, permissions: ['root'] } })).toThrow(/known permissions/);
    expect(() => load({ 'Bad Name': { publicKey, permissions: [] } })).toThrow(/name must match/);
    expect(() => loadAuthConfig({ ...base, NODE_ENV: 'test', AUTH_SERVICE_CLIENTS: '{' })).toThrow(
      /must be JSON/,
    );
  });
});
