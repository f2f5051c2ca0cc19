import { testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { decide, PostgresStore } from './rate-limits';

const silent = { warn: () => undefined } as never;

// Two stores stand for two gateway replicas: separate pools, one table in the real PostgreSQL.
describe('PostgresStore (real PostgreSQL, two replicas)', () => {
  const env = testEnvironment();
  let replicas: PostgresStore[];

  beforeAll(async () => {
    const adminUrl = new URL(env.adminUrl);
    adminUrl.pathname = `/${env.database}`;
    // Both create the table at once, as replicas starting together do.
    replicas = await Promise.all([1, 2].map(() => new PostgresStore(adminUrl.toString(), 5).start(silent)));
  });
  afterAll(() => Promise.all(replicas.map((r) => r.close())));

  it('holds the combined limit across replicas under concurrent requests', async () => {
    const buckets = [{ key: `apiKey:${randomUUID()}`, limit: 40, windowMs: 3_600_000 }];
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, i) => decide(replicas[i % 2], buckets)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(40);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.remaining === 0 && d.resetSeconds > 0)).toBe(
      true,
    );
  });

  it('counts every bucket of a request, and starts a new window after the old one ends', async () => {
    const key = `ip:${randomUUID()}`;
    const tenant = `tenant:${randomUUID()}`;
    const buckets = [
      { key, limit: 2, windowMs: 2_000 },
      { key: tenant, limit: 100, windowMs: 3_600_000 },
    ];
    // Start just after a 2-second boundary so the three calls share one window.
    await new Promise((resolve) => setTimeout(resolve, 2_000 - (Date.now() % 2_000) + 50));
    expect((await decide(replicas[0], buckets)).remaining).toBe(1);
    expect((await decide(replicas[1], buckets)).remaining).toBe(0);
    expect((await decide(replicas[0], buckets)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const fresh = await decide(replicas[1], buckets);
    expect(fresh.allowed).toBe(true);
    // The tenant bucket kept counting: 4 of 100 used, but the ip bucket is tighter.
    expect(fresh).toMatchObject({ limit: 2, remaining: 1 });
  });
});
