import { gatewayOpenApiDocument } from '@sextant/contracts';
import { forecastDemand, SKU_SCALE_OPTIONS, simulateSkuDemand } from '@sextant/domain/forecasting';
import {
  ContractClient,
  eventually,
  type RunningStack,
  type SignedUpOwner,
  signUp,
  startStack,
  testEnvironment,
} from '@sextant/testing';

interface Run {
  runId: string;
  status: string;
  historyEnd: string | null;
  progress: { total: number; done: number; succeeded: number; failed: number };
}
interface Point {
  period: string;
  mean: number;
  intervals: Record<string, { lower: number; upper: number }>;
}
interface Result {
  sku: string;
  status: string;
  class: string;
  method: string;
  points: Point[];
  metrics: Record<string, number | null> | null;
  error: string | null;
  computedAt: string;
}

const LAST_DAY = '2026-06-30';
const DAYS = 400;
const dayOf = (i: number) =>
  new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) - (DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10);

// Forecasting through the gateway: real auth, forecasting processes, PostgreSQL and Kafka.
describe('forecasting through the gateway', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let owner: SignedUpOwner;
  const skus = simulateSkuDemand({ count: 120, length: DAYS, seed: 11 }).map((s, i) => ({
    ...s,
    id: `SKU-${String(i).padStart(3, '0')}`,
  }));

  const call = <T>(method: string, path: string, options: Parameters<ContractClient['request']>[2] = {}) =>
    api.request<T>(method, path, { ...options, headers: { ...owner.headers, ...options.headers } });
  const run = async (runId: string) =>
    (await call<Run>('GET', '/api/v1/forecasting/runs/{runId}', { params: { runId } })).body;
  const finished = (runId: string, timeoutMs = 240_000) =>
    eventually(
      async () => {
        const r = await run(runId);
        return r.status !== 'running' ? r : undefined;
      },
      timeoutMs,
      250,
    );
  const allResults = async (runId: string, query: Record<string, string> = {}) => {
    const items: Result[] = [];
    for (let offset = 0; ; offset += 50) {
      const page = await call<{ items: Result[]; total: number }>(
        'GET',
        '/api/v1/forecasting/runs/{runId}/results',
        {
          params: { runId },
          query: { ...query, limit: '50', offset: String(offset) },
        },
      );
      items.push(...page.body.items);
      if (page.body.items.length < 50) return items;
    }
  };

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'forecasting', 'gateway'], {
      FORECAST_JOB_SIZE: '10',
      FORECAST_JOB_SESSION_TIMEOUT_MS: '6000',
    });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    owner = await signUp(stack.urls.gateway);
    // Import the simulator's history: a third as JSON, the rest as CSV.
    const third = Math.ceil(skus.length / 3);
    const json = await call('POST', '/api/v1/forecasting/history/imports', {
      body: {
        rows: skus
          .slice(0, third)
          .flatMap((s) => s.values.map((quantity, i) => ({ sku: s.id, date: dayOf(i), quantity }))),
      },
    });
    expect(json.status).toBe(200);
    for (const part of [skus.slice(third, 2 * third), skus.slice(2 * third)]) {
      const csv = [
        'sku,date,quantity',
        ...part.flatMap((s) => s.values.map((q, i) => `${s.id},${dayOf(i)},${q}`)),
      ];
      const imported = await call<{ rows: number; skus: number; lastDate: string }>(
        'POST',
        '/api/v1/forecasting/history/imports',
        { rawBody: csv.join('\n'), headers: { 'content-type': 'text/csv' } },
      );
      expect(imported.status).toBe(200);
      expect(imported.body).toMatchObject({
        rows: part.length * DAYS,
        skus: part.length,
        lastDate: LAST_DAY,
      });
    }
  }, 180_000);
  afterAll(() => stack?.stop());

  it('runs every SKU to completion with the library’s own forecasts, classes and intervals', async () => {
    const created = await call<Run>('POST', '/api/v1/forecasting/runs', { body: { horizon: 14 } });
    expect(created.status).toBe(202);
    expect(created.body.progress).toEqual({ total: 120, done: 0, succeeded: 0, failed: 0 });
    expect(created.body.historyEnd).toBe(LAST_DAY);
    const done = await finished(created.body.runId);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toEqual({ total: 120, done: 120, succeeded: 120, failed: 0 });

    const results = await allResults(done.runId);
    expect(results.map((r) => r.sku)).toEqual(skus.map((s) => s.id));
    for (const sku of skus.filter((_, i) => i % 12 === 0)) {
      const expected = forecastDemand(sku.values, {
        horizon: 14,
        season: 7,
        levels: [80, 95],
        classification: { adiCutoff: 1.32, cv2Cutoff: 0.49 },
        ...SKU_SCALE_OPTIONS,
      });
      const got = results.find((r) => r.sku === sku.id)!;
      expect({ class: got.class, method: got.method }).toEqual({
        class: expected.class,
        method: expected.method,
      });
      expect(got.points.map((p) => p.period)).toEqual(
        Array.from({ length: 14 }, (_, i) => `2026-07-${String(i + 1).padStart(2, '0')}`),
      );
      got.points.forEach((p, i) => {
        expect(p.mean).toBeCloseTo(expected.forecast[i], 9);
        expect(p.intervals['95'].upper).toBeCloseTo(expected.intervals['95'].upper[i], 9);
        expect(p.intervals['80'].lower).toBeCloseTo(expected.intervals['80'].lower[i], 9);
      });
    }

    const smooth = await allResults(done.runId, { class: 'smooth' });
    expect(smooth.length).toBeGreaterThan(0);
    expect(smooth.every((r) => r.class === 'smooth')).toBe(true);
    const classes = await call<{ counts: Record<string, number> }>(
      'GET',
      '/api/v1/forecasting/runs/{runId}/classifications',
      { params: { runId: done.runId } },
    );
    expect(Object.values(classes.body.counts).reduce((a, b) => a + b, 0)).toBe(120);
    expect(classes.body.counts.smooth).toBe(smooth.length);

    const view = await call<{ history: unknown[]; forecast: { runId: string; points: Point[] } }>(
      'GET',
      '/api/v1/forecasting/skus/{sku}',
      { params: { sku: 'SKU-000' } },
    );
    expect(view.body.history).toHaveLength(366);
    expect(view.body.forecast.runId).toBe(done.runId);
    expect(view.body.forecast.points).toEqual(results[0].points);

    const vsActual = await call<{ kind: string; skus: number }>(
      'GET',
      '/api/v1/forecasting/runs/{runId}/accuracy',
      {
        params: { runId: done.runId },
      },
    );
    expect(vsActual.body).toMatchObject({ kind: 'forecast-vs-actual', skus: 0 });
  }, 300_000);

  it('survives kill -9 of the worker mid-run and finishes without redoing finished SKUs', async () => {
    const created = await call<Run>('POST', '/api/v1/forecasting/runs', {
      body: { kind: 'backtest', horizon: 14, origins: 4 },
    });
    const { runId } = created.body;
    const before = await eventually(
      async () => {
        const r = await run(runId);
        return r.progress.done >= 5 ? r : undefined;
      },
      120_000,
      50,
    );
    expect(before.status).toBe('running');
    const earlier = new Map((await allResults(runId)).map((r) => [r.sku, r.computedAt]));
    await stack.restart('forecasting', 'SIGKILL');
    const done = await finished(runId);
    expect(done.progress.done).toBe(120);
    expect(['succeeded', 'partially_failed']).toContain(done.status);
    const results = await allResults(runId);
    expect(results).toHaveLength(120);
    for (const [sku, computedAt] of earlier)
      expect(results.find((r) => r.sku === sku)!.computedAt).toBe(computedAt);
    const report = await call<{ kind: string; skus: number; byClass: { key: string; skus: number }[] }>(
      'GET',
      '/api/v1/forecasting/runs/{runId}/accuracy',
      { params: { runId } },
    );
    expect(report.body.kind).toBe('backtest');
    expect(report.body.skus).toBe(done.progress.succeeded);
    expect(report.body.byClass.reduce((s, g) => s + g.skus, 0)).toBe(done.progress.succeeded);
  }, 300_000);

  it('cancels a running run, and refuses to cancel it twice', async () => {
    const created = await call<Run>('POST', '/api/v1/forecasting/runs', {
      body: { kind: 'backtest', horizon: 7 },
    });
    const cancelled = await call<Run>('POST', '/api/v1/forecasting/runs/{runId}/cancel', {
      params: { runId: created.body.runId },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await call('POST', '/api/v1/forecasting/runs/{runId}/cancel', {
      params: { runId: created.body.runId },
    });
    expect(again.status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const later = await run(created.body.runId);
    expect(later.status).toBe('cancelled');
    expect(later.progress.done).toBeLessThan(120);
  }, 60_000);

  it('keeps tenants apart: another tenant sees no history, no runs, and forecasts nothing', async () => {
    const stranger = await signUp(stack.urls.gateway, 'Another shop');
    const headers = stranger.headers;
    const runs = await api.request<{ items: unknown[] }>('GET', '/api/v1/forecasting/runs', { headers });
    expect(runs.body.items).toEqual([]);
    const sku = await api.request('GET', '/api/v1/forecasting/skus/{sku}', {
      params: { sku: 'SKU-000' },
      headers,
    });
    expect(sku.status).toBe(404);
    const mine = await call<{ items: Run[] }>('GET', '/api/v1/forecasting/runs');
    const other = await api.request('GET', '/api/v1/forecasting/runs/{runId}', {
      params: { runId: mine.body.items[0].runId },
      headers,
    });
    expect(other.status).toBe(404);
    const empty = await api.request<Run>('POST', '/api/v1/forecasting/runs', {
      body: { horizon: 7 },
      headers,
    });
    expect(empty.body).toMatchObject({ status: 'succeeded', progress: { total: 0, done: 0 } });
  });

  it('answers bad input with problem+json naming the problem, and imports nothing from a bad file', async () => {
    const csv = [
      'sku,date,quantity',
      'NEW-1,2026-06-01,3',
      'NEW-1,2026-06-02,-1',
      'NEW-1,2026-06-03,abc',
      'NEW-1,2026-06-01,4',
      'NEW-1,2026-02-30,1',
    ];
    const bad = await call<{ errors: { field: string; message: string }[] }>(
      'POST',
      '/api/v1/forecasting/history/imports',
      {
        rawBody: csv.join('\n'),
        headers: { 'content-type': 'text/csv' },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors).toEqual([
      { field: 'line 3', message: 'quantity -1 is negative' },
      { field: 'line 4', message: "quantity 'abc' is not a number" },
      { field: 'line 5', message: "duplicate date 2026-06-01 for sku 'NEW-1' (first on 2)" },
      { field: 'line 6', message: "date '2026-02-30' is not a YYYY-MM-DD calendar date" },
    ]);
    expect((await call('GET', '/api/v1/forecasting/skus/{sku}', { params: { sku: 'NEW-1' } })).status).toBe(
      404,
    );

    const negativeJson = await call<{ errors: { field: string }[] }>(
      'POST',
      '/api/v1/forecasting/history/imports',
      {
        body: { rows: [{ sku: 'X', date: '2026-01-01', quantity: -2 }] },
      },
    );
    expect(negativeJson.status).toBe(400);
    expect(negativeJson.body.errors.map((e) => e.field)).toEqual(['/body/rows/0/quantity']);

    const cases: [unknown, number, string][] = [
      [{ horizon: 0 }, 400, '/body/horizon'],
      [{ horizon: 400 }, 400, '/body/horizon'],
      [{ horizon: 200, frequency: 'week' }, 400, '/body/horizon'],
      [{ horizon: 7, season: 0 }, 400, '/body/season'],
      [{ horizon: 7, frequency: 'week', season: 60 }, 400, '/body/season'],
      [{ horizon: 7, skus: ['SKU-000', 'NOPE-1'] }, 422, '/body/skus'],
    ];
    for (const [body, status, field] of cases) {
      const response = await call<{ errors: { field: string; message: string }[]; detail: string }>(
        'POST',
        '/api/v1/forecasting/runs',
        { body },
      );
      expect({ body, status: response.status, field: response.body.errors?.[0]?.field }).toEqual({
        body,
        status,
        field,
      });
    }
    const unknown = await call<{ detail: string }>('POST', '/api/v1/forecasting/runs', {
      body: { horizon: 7, skus: ['NOPE-1'] },
    });
    expect(unknown.body.detail).toContain('NOPE-1');
  });
});
