import { decide, InProcessStore, RateLimitPolicy } from './rate-limits';

const TENANT = '7a1e6c3d-2b4f-4a5e-9c8d-1e2f3a4b5c6d';
const BIG = '11111111-2b4f-4a5e-9c8d-1e2f3a4b5c6d';

describe('RateLimitPolicy', () => {
  const policy = new RateLimitPolicy(
    {
      plans: {
        default: { apiKey: { limit: 100, windowSeconds: 60 } },
        growth: { apiKey: { limit: 1000, windowSeconds: 60 }, tenant: { limit: 5000, windowSeconds: 60 } },
      },
      tenantPlans: { [BIG]: 'growth' },
      routes: { 'POST /api/v1/auth/login': { ip: { limit: 10, windowSeconds: 300 } } },
    },
    { limit: 50, windowSeconds: 10 },
  );

  it('counts an API key in its own bucket and its tenant', () => {
    expect(policy.bucketsFor({ kind: 'apiKey', keyId: 'k1', tenantId: TENANT }, 'GET /x')).toEqual([
      { key: 'apiKey:k1', limit: 100, windowMs: 60_000 },
      { key: `tenant:${TENANT}`, limit: 50, windowMs: 10_000 },
    ]);
  });

  it("applies the tenant's plan", () => {
    expect(policy.bucketsFor({ kind: 'tenant', tenantId: BIG }, 'GET /x')).toEqual([
      { key: `tenant:${BIG}`, limit: 5000, windowMs: 60_000 },
    ]);
  });

  it('counts an overridden route separately, per address on public operations', () => {
    expect(policy.bucketsFor({ kind: 'ip', ip: '10.0.0.1' }, 'POST /api/v1/auth/login')).toEqual([
      { key: 'ip:10.0.0.1|POST /api/v1/auth/login', limit: 10, windowMs: 300_000 },
    ]);
    expect(policy.bucketsFor({ kind: 'ip', ip: '10.0.0.1' }, undefined)).toEqual([
      { key: 'ip:10.0.0.1', limit: 50, windowMs: 10_000 },
    ]);
  });

  it('refuses settings it cannot apply, naming them', () => {
    const fallback = { limit: 1, windowSeconds: 1 };
    expect(() => RateLimitPolicy.parse('{', fallback)).toThrow('RATE_LIMITS is not valid JSON');
    expect(() =>
      RateLimitPolicy.parse('{"plans":{"x":{"ip":{"limit":0,"windowSeconds":1}}}}', fallback),
    ).toThrow('plans.x.ip');
    expect(() => RateLimitPolicy.parse('{"tenantPlans":{"t":"gold"}}', fallback)).toThrow("no plan 'gold'");
    expect(() => RateLimitPolicy.parse('{"routes":{"/x":{}}}', fallback)).toThrow(
      "'<METHOD> <contract path>'",
    );
  });
});

describe('decide with the in-process store', () => {
  it('allows the limit, refuses beyond it with the time to the window end, and resets', async () => {
    let now = 120_500;
    const store = new InProcessStore(() => now);
    const buckets = [{ key: 'apiKey:k', limit: 3, windowMs: 60_000 }];
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await decide(store, buckets, now));
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    // The window started with the first request (120.5 s): it ends at 180.5 s.
    now = 150_000;
    expect((await decide(store, buckets, now)).resetSeconds).toBe(31);
    now = 180_499;
    expect((await decide(store, buckets, now)).allowed).toBe(false);
    now = 180_500;
    expect((await decide(store, buckets, now)).allowed).toBe(true);
  });

  it('answers with the tightest bucket', async () => {
    const now = 0;
    const store = new InProcessStore(() => now);
    const buckets = [
      { key: 'apiKey:k', limit: 10, windowMs: 1000 },
      { key: 'tenant:t', limit: 2, windowMs: 1000 },
    ];
    await decide(store, buckets, now);
    expect(await decide(store, buckets, now)).toMatchObject({ allowed: true, limit: 2, remaining: 0 });
    expect(await decide(store, buckets, now)).toMatchObject({ allowed: false, limit: 2 });
  });
});
