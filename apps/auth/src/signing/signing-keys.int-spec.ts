import { AccessTokenVerifier } from '@sextant/platform/auth';
import { createServiceDataSource, Transactions } from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadAuthConfig } from '../config';
import { rotateSigningKey } from './key-rotation';
import { SigningKeys } from './signing-keys';

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The signing keys in the real auth schema, as the auth app role: sealed storage, and a rotation
// that publishes the next key before it signs and retires the old one after the token lifetime.
describe('signing keys (real PostgreSQL)', () => {
  const env = testEnvironment();
  const config = loadAuthConfig({
    NODE_ENV: 'test',
    KAFKA_BROKERS: env.brokers.join(','),
    DATABASE_URL: serviceUrls(env, 'auth').appUrl,
    AUTH_ISSUER: 'https://keys.test',
  });
  let dataSource: DataSource;
  let keys: SigningKeys;
  const verifier = () =>
    new AccessTokenVerifier({
      issuer: 'https://keys.test',
      audience: config.AUTH_AUDIENCE,
      keys: keys.keyResolver,
      cacheSize: 0,
    });
  const sign = () => keys.sign({ sub: randomUUID(), tid: randomUUID(), perms: [] }, 60);

  beforeAll(async () => {
    dataSource = await createServiceDataSource({
      schema: 'auth',
      url: config.DATABASE_URL,
      entities: [],
    }).initialize();
    keys = new SigningKeys(config, new Transactions(dataSource), new Metrics('auth'));
    await keys.load();
  });
  afterAll(() => dataSource.destroy());

  it('signs RS256 access tokens that verify against the published keys', async () => {
    const token = await sign();
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({
      alg: 'RS256',
    });
    expect(keys.jwks().keys.map((k) => k.kid)).toContain(kidOf(token));
    expect(keys.jwks().keys.every((k) => !('d' in k))).toBe(true);
    await expect(verifier().verify(token)).resolves.toMatchObject({ permissions: [] });
  });

  it('rotates: publishes the next key first, signs with it when due, retires the old one later', async () => {
    const before = await sign();
    const rotation = await dataSource.transaction((m) =>
      rotateSigningKey(m, Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64'), {
        publishAheadSeconds: 1,
        retireAfterSeconds: 1,
      }),
    );
    await keys.load();
    const published = keys.jwks().keys.map((k) => k.kid);
    expect(published).toEqual(expect.arrayContaining([kidOf(before), rotation.kid]));
    expect(kidOf(await sign())).toBe(kidOf(before));

    await sleep(Math.max(0, rotation.signsFrom.getTime() - Date.now()) + 200);
    await keys.load();
    const after = await sign();
    expect(kidOf(after)).toBe(rotation.kid);
    await verifier().verify(after);
    await verifier().verify(before);

    await sleep(Math.max(0, new Date(rotation.previousRetireAt).getTime() - Date.now()) + 200);
    await keys.load();
    expect(keys.jwks().keys.map((k) => k.kid)).not.toContain(kidOf(before));
    await expect(verifier().verify(before)).rejects.toThrow();
  });
});
