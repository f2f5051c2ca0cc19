import type { Logger } from '@sextant/platform/logging';
import { Pool } from 'pg';

/** At most `limit` requests per fixed window of `windowSeconds`. */
export interface Limit {
  limit: number;
  windowSeconds: number;
}

/** A plan's limits per API key, per tenant (any credential of the tenant) and per client address. */
export interface PlanLimits {
  apiKey: Limit;
  tenant: Limit;
  ip: Limit;
}

/**
 * `RATE_LIMITS` (JSON, every part optional; see apps/gateway/README.md):
 * - `plans`: limits per plan name; `default` applies to tenants without a plan;
 * - `tenantPlans`: tenant id -> plan name;
 * - `routes`: `"<METHOD> <contract path>"` -> limits counted separately for that operation.
 */
export interface RateLimitSettings {
  plans?: Record<string, Partial<PlanLimits>>;
  tenantPlans?: Record<string, string>;
  routes?: Record<string, Partial<PlanLimits>>;
}

export type Subject =
  | { kind: 'ip'; ip: string }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'apiKey'; tenantId: string; keyId: string };

export interface Bucket {
  key: string;
  limit: number;
  windowMs: number;
}

export interface BucketState {
  hits: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

function checkLimit(where: string, value: unknown): Limit {
  const limit = value as Limit;
  if (
    typeof limit !== 'object' ||
    !Number.isInteger(limit.limit) ||
    limit.limit < 1 ||
    !(typeof limit.windowSeconds === 'number' && limit.windowSeconds > 0)
  )
    throw new Error(`RATE_LIMITS: ${where} must be {"limit": <integer >= 1>, "windowSeconds": <number > 0>}`);
  return { limit: limit.limit, windowSeconds: limit.windowSeconds };
}

/** Which buckets a request is counted in, from the configured plans and route overrides. */
export class RateLimitPolicy {
  private readonly plans = new Map<string, PlanLimits>();
  private readonly routes = new Map<string, Partial<PlanLimits>>();
  private readonly tenantPlans: Map<string, string>;

  constructor(settings: RateLimitSettings, fallback: Limit) {
    const base: PlanLimits = { apiKey: fallback, tenant: fallback, ip: fallback };
    const plans: Record<string, Partial<PlanLimits>> = { default: {}, ...settings.plans };
    for (const [name, plan] of Object.entries(plans)) {
      const limits = { ...base };
      for (const kind of ['apiKey', 'tenant', 'ip'] as const)
        if (plan[kind]) limits[kind] = checkLimit(`plans.${name}.${kind}`, plan[kind]);
      this.plans.set(name, limits);
    }
    this.tenantPlans = new Map(Object.entries(settings.tenantPlans ?? {}));
    for (const [tenant, plan] of this.tenantPlans)
      if (!this.plans.has(plan))
        throw new Error(`RATE_LIMITS: tenantPlans.${tenant} names no plan '${plan}'`);
    for (const [route, limits] of Object.entries(settings.routes ?? {})) {
      if (!/^[A-Z]+ \/\S*$/.test(route))
        throw new Error(`RATE_LIMITS: routes key '${route}' must be '<METHOD> <contract path>'`);
      const checked: Partial<PlanLimits> = {};
      for (const kind of ['apiKey', 'tenant', 'ip'] as const)
        if (limits[kind]) checked[kind] = checkLimit(`routes.${route}.${kind}`, limits[kind]);
      this.routes.set(route, checked);
    }
  }

  static parse(json: string, fallback: Limit): RateLimitPolicy {
    let settings: RateLimitSettings = {};
    if (json.trim()) {
      try {
        settings = JSON.parse(json) as RateLimitSettings;
      } catch (error) {
        throw new Error(`RATE_LIMITS is not valid JSON: ${(error as Error).message}`);
      }
    }
    return new RateLimitPolicy(settings, fallback);
  }

  /** `route` is `"<METHOD> <template>"` of the contract operation (undefined when it has none). */
  bucketsFor(subject: Subject, route: string | undefined): Bucket[] {
    const override = route === undefined ? undefined : this.routes.get(route);
    const plan =
      subject.kind === 'ip'
        ? this.plans.get('default')!
        : this.plans.get(this.tenantPlans.get(subject.tenantId) ?? 'default')!;
    const bucket = (kind: keyof PlanLimits, id: string): Bucket => {
      const limit = override?.[kind] ?? plan[kind];
      const scope = override?.[kind] ? `|${route}` : '';
      return { key: `${kind}:${id}${scope}`, limit: limit.limit, windowMs: limit.windowSeconds * 1000 };
    };
    if (subject.kind === 'ip') return [bucket('ip', subject.ip)];
    if (subject.kind === 'tenant') return [bucket('tenant', subject.tenantId)];
    return [bucket('apiKey', subject.keyId), bucket('tenant', subject.tenantId)];
  }
}

/** Counts hits per bucket and fixed window; `hit` adds one to each bucket atomically. */
export interface RateLimitStore {
  hit(buckets: Bucket[]): Promise<BucketState[]>;
  close(): Promise<void>;
}

/** One process's counters (a single replica, or no shared store configured). */
export class InProcessStore implements RateLimitStore {
  private readonly windows = new Map<string, BucketState>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(buckets: Bucket[]): Promise<BucketState[]> {
    const now = this.now();
    if (this.windows.size > 100_000) this.sweep(now);
    return buckets.map(({ key, windowMs }) => {
      let state = this.windows.get(key);
      if (!state || state.resetAt <= now) {
        // The window starts at the key's first request (no shared clock to align to in-process).
        state = { hits: 0, resetAt: now + windowMs };
        this.windows.set(key, state);
      }
      state.hits++;
      return state;
    });
  }

  private sweep(now: number) {
    for (const [key, state] of this.windows) if (state.resetAt <= now) this.windows.delete(key);
  }

  async close(): Promise<void> {}
}

const TABLE = 'gateway_rate_limit_windows';

/**
 * Counters shared by every gateway replica in a PostgreSQL table: one row per bucket and window,
 * incremented with an atomic upsert (one statement for all of a request's buckets). Windows are
 * cut on the database's clock, so replicas with skewed clocks still agree.
 */
export class PostgresStore implements RateLimitStore {
  private readonly pool: Pool;
  private sweeper?: NodeJS.Timeout;

  constructor(url: string, poolSize = 10) {
    this.pool = new Pool({ connectionString: url, max: poolSize, application_name: 'sextant-gateway' });
  }

  async start(logger: Logger): Promise<this> {
    const create = `create table if not exists ${TABLE} (
      bucket text not null,
      window_start bigint not null,
      expires_at bigint not null,
      hits integer not null,
      primary key (bucket, window_start))`;
    try {
      await this.pool.query(create);
    } catch (error) {
      // Two replicas creating the table at once: one loses the race on the catalogue; retry once.
      if (!['23505', '42P07'].includes((error as { code?: string }).code ?? '')) throw error;
      await this.pool.query(create);
    }
    this.sweeper = setInterval(() => {
      this.pool
        .query(`delete from ${TABLE} where expires_at < (extract(epoch from now()) * 1000)::bigint`)
        .catch((error: unknown) => logger.warn({ err: error }, 'rate-limit window sweep failed'));
    }, 60_000).unref();
    return this;
  }

  async hit(buckets: Bucket[]): Promise<BucketState[]> {
    const { rows } = await this.pool.query<{ bucket: string; hits: number; expires_at: string }>(
      `with now_ms as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as t)
       insert into ${TABLE} as w (bucket, window_start, expires_at, hits)
       select b, (now_ms.t / ms) * ms, (now_ms.t / ms) * ms + ms, 1
         from unnest($1::text[], $2::bigint[]) as u(b, ms), now_ms
       on conflict (bucket, window_start) do update set hits = w.hits + 1
       returning bucket, hits, expires_at`,
      [buckets.map((b) => b.key), buckets.map((b) => b.windowMs)],
    );
    const byBucket = new Map(rows.map((r) => [r.bucket, r]));
    return buckets.map((b) => {
      const row = byBucket.get(b.key)!;
      return { hits: row.hits, resetAt: Number(row.expires_at) };
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.pool.end();
  }
}

/** Counts a request in its buckets; the tightest bucket sets the answer and the headers. */
export async function decide(
  store: RateLimitStore,
  buckets: Bucket[],
  now = Date.now(),
): Promise<RateLimitDecision> {
  const states = await store.hit(buckets);
  let decision: RateLimitDecision | undefined;
  for (let i = 0; i < buckets.length; i++) {
    const { limit } = buckets[i];
    const remaining = Math.max(0, limit - states[i].hits);
    const candidate = {
      allowed: states[i].hits <= limit,
      limit,
      remaining,
      resetSeconds: Math.max(1, Math.ceil((states[i].resetAt - now) / 1000)),
    };
    if (
      !decision ||
      (decision.allowed && !candidate.allowed) ||
      (decision.allowed === candidate.allowed && candidate.remaining < decision.remaining)
    )
      decision = candidate;
  }
  return decision!;
}
