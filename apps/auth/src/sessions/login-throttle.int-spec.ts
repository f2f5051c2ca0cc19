import { createServiceDataSource } from '@sextant/platform/database';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadAuthConfig } from '../config';
import { LoginThrottle } from './login-throttle';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The throttle's SQL against the real auth schema: progressive, capped, per key, and forgetting.
describe('login throttle (real PostgreSQL)', () => {
  const env = testEnvironment();
  const config = loadAuthConfig({
    NODE_ENV: 'test',
    KAFKA_BROKERS: env.brokers.join(','),
    DATABASE_URL: serviceUrls(env, 'auth').appUrl,
    AUTH_LOCK_SECONDS: '1',
    AUTH_MAX_LOCK_SECONDS: '2',
  });
  const throttle = new LoginThrottle(config);
  let db: DataSource;
  const fail = (key: string) => db.transaction((m) => throttle.recordFailure(m, key, 2));
  const wait = (...keys: string[]) => db.transaction((m) => throttle.retryAfter(m, keys));

  beforeAll(async () => {
    db = await createServiceDataSource({
      schema: 'auth',
      url: config.DATABASE_URL,
      entities: [],
    }).initialize();
  });
  afterAll(() => db.destroy());

  it('locks after the allowed failures, doubling the lock up to the cap', async () => {
    const key = `account:${randomUUID()}`;
    await fail(key);
    expect(await wait(key)).toBe(0);
    await fail(key);
    expect(await wait(key)).toBe(1);
    await fail(key);
    await fail(key);
    expect(await wait(key)).toBe(2);
    const [row] = await db.query(
      `select failures, extract(epoch from locked_until - last_failure_at) as lock from login_throttle where throttle_key = $1`,
      [key],
    );
    expect({ failures: row.failures, lock: Number(row.lock) }).toEqual({ failures: 4, lock: 2 });
  });

  it('keeps keys apart and reports the longest lock of those asked about', async () => {
    const account = `account:${randomUUID()}`;
    const address = `ip:${randomUUID()}`;
    await fail(account);
    await fail(account);
    expect(await wait(address)).toBe(0);
    expect(await wait(account, address)).toBe(1);
  });

  it('lets the count start again once a lock and the longest lock have passed, or after a success', async () => {
    const key = `account:${randomUUID()}`;
    await fail(key);
    await fail(key);
    expect(await wait(key)).toBeGreaterThan(0);
    await sleep(2_300);
    expect(await wait(key)).toBe(0);
    await fail(key);
    expect(await wait(key)).toBe(0);
    await fail(key);
    expect(await wait(key)).toBe(1);
    await db.transaction((m) => throttle.clear(m, key));
    expect(await wait(key)).toBe(0);
  });
});
