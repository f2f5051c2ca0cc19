import { reportingOpenApiDocument } from '@sextant/contracts';
import { createServiceDataSource, withTenant } from '@sextant/platform/database';
import { createLogger } from '@sextant/platform/logging';
import type { NestFastifyApplication } from '@sextant/platform/service';
import { TopicNames } from '@sextant/platform/messaging';
import {
  ContractClient,
  eventually,
  freePort,
  produceEvents,
  serviceUrls,
  testEnvironment,
  testKafka,
  TestTokenIssuer,
} from '@sextant/testing';
import type { Admin, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DataSource } from 'typeorm';
import { loadReportingConfig } from '../config';
import { reportingService } from '../service';
import {
  expectedDailyChannel,
  expectedOrderRollups,
  expectedOrderTotals,
  type Facts,
  type MartRow,
  MODELS,
  random,
  syntheticFacts,
} from './__fixtures__/synthetic-facts';
import { DAILY_CHANNEL_COLUMNS } from '../exports/exports.service';
import { rebuildMarts } from './mart-rebuild';
import { MartsConsumer } from './marts.consumer';

/**
 * Campaigns per channel in the export test: 57 gives 1,000,008 rows, the issue's size
 * (REPORTING_EXPORT_TEST_CAMPAIGNS=6 makes a quick local run of about 105,000).
 */
const exportCampaigns = Number(process.env.REPORTING_EXPORT_TEST_CAMPAIGNS ?? 57);

// The reporting service in-process on the real PostgreSQL and Kafka: facts are produced to the
// run's topics exactly as the producing services publish them (headers included).
describe('reporting marts (real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  const prefix = `${env.topicPrefix}rep-${randomUUID().slice(0, 8)}.`;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const factsA = syntheticFacts(tenantA, 7);
  const factsB = syntheticFacts(tenantB, 8, 0.3);
  let app: NestFastifyApplication;
  let issuer: TestTokenIssuer;
  let producer: Producer;
  let admin: Admin;
  let db: DataSource;
  let api: ContractClient;
  let tokenA: string;

  const produceAll = async (facts: Facts, tenantId: string) => {
    await produceEvents(
      producer,
      prefix,
      'ingestion.event.accepted.v1',
      facts.events.map((e) => ({ tenantId, payload: e.payload, eventId: e.eventId })),
    );
    await produceEvents(
      producer,
      prefix,
      'commerce.order.recorded.v1',
      shuffled(facts.orders).map((payload) => ({ tenantId, payload, key: payload.orderId })),
    );
    await produceEvents(
      producer,
      prefix,
      'marketing.spend.recorded.v1',
      shuffled(facts.spend).map((payload) => ({ tenantId, payload })),
    );
    await produceEvents(
      producer,
      prefix,
      'attribution.credit.computed.v1',
      shuffled(facts.credits).map((payload) => ({ tenantId, payload, key: payload.orderId })),
    );
  };

  /** The service's group has committed everything produced so far on the mart topics. */
  const caughtUp = async () => {
    const topics = [
      'ingestion.event.accepted.v1',
      'commerce.order.recorded.v1',
      'marketing.spend.recorded.v1',
      'attribution.credit.computed.v1',
      'auth.member.changed.v1',
    ].map((t) => `${prefix}${t}`);
    await eventually(
      async () => {
        const committed = await admin.fetchOffsets({ groupId: `${prefix}reporting`, topics });
        for (const t of committed) {
          const ends = await admin.fetchTopicOffsets(t.topic);
          for (const p of t.partitions)
            if (
              Number(p.offset) < Number(ends.find((e) => e.partition === p.partition)!.high) &&
              Number(ends.find((e) => e.partition === p.partition)!.high) > 0
            )
              return false;
        }
        return true;
      },
      90_000,
      300,
    );
  };

  const get = <T>(url: string, token = tokenA) => {
    const [path, query] = url.split('?');
    return api.request<T>('GET', path, {
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
      headers: { authorization: `Bearer ${token}` },
    });
  };

  const martRows = async (tenantId: string, table = 'fct_daily_channel', period = 'day') => {
    const rows: Record<string, unknown>[] = await withTenant(db, tenantId, (m) =>
      m.query(`select to_char(${period}, 'YYYY-MM-DD') as day, channel, campaign, currency, sessions::float8, touches::float8,
        spend_minor::float8, impressions::float8, clicks::float8, ${MODELS.map((x) => `conv_${x}, rev_${x}`).join(', ')}
        from ${table} order by 1, channel, campaign, currency`),
    );
    return new Map(rows.map((r) => [[r.day, r.channel, r.campaign, r.currency].join('|'), r]));
  };

  /** The independent daily recomputation summed per calendar month (keyed by its first day). */
  const perMonth = (daily: Map<string, MartRow>) => {
    const months = new Map<string, MartRow>();
    for (const [key, row] of daily) {
      const [day, ...rest] = key.split('|');
      const monthKey = [`${day.slice(0, 7)}-01`, ...rest].join('|');
      const sums = months.get(monthKey) ?? {};
      for (const [field, value] of Object.entries(row)) sums[field] = (sums[field] ?? 0) + (value ?? 0);
      months.set(monthKey, sums);
    }
    return months;
  };

  const expectMartsToMatch = async (tenantId: string, facts: Facts) => {
    const daily = expectedDailyChannel(facts);
    expectRowsToMatch(daily, await martRows(tenantId));
    expectRowsToMatch(perMonth(daily), await martRows(tenantId, 'fct_monthly_channel', 'month'));
    const { daily: orders, firstOrderDay } = expectedOrderRollups(facts);
    const [orderRows, customerRows] = await withTenant(db, tenantId, async (m) => [
      await m.query(`select to_char(day, 'YYYY-MM-DD') || '|' || currency as key, orders::float8 as orders,
        net_revenue_minor::float8 as revenue from fct_daily_orders`),
      await m.query(`select customer_key, to_char(first_order_day, 'YYYY-MM-DD') as day from dim_customer`),
    ]);
    expect(
      new Map(
        orderRows.map((r: { key: string; orders: number; revenue: number }) => [
          r.key,
          { orders: r.orders, revenue: r.revenue },
        ]),
      ),
    ).toEqual(orders);
    expect(
      new Map(customerRows.map((r: { customer_key: string; day: string }) => [r.customer_key, r.day])),
    ).toEqual(firstOrderDay);
  };

  const expectRowsToMatch = (
    expected: Map<string, MartRow>,
    actual: Map<string, Record<string, unknown>>,
  ) => {
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      const got = actual.get(key)!;
      for (const field of [
        'sessions',
        'touches',
        'spend_minor',
        'impressions',
        'clicks',
        ...MODELS.flatMap((x) => [`conv_${x}`, `rev_${x}`]),
      ])
        expect([key, field, got[field] as number]).toEqual([key, field, expect.closeTo(want[field] ?? 0, 6)]);
    }
  };

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    const urls = serviceUrls(env, 'reporting');
    const config = loadReportingConfig({
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: urls.appUrl,
      KAFKA_BROKERS: env.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REPORTING_REBUILD_ON_START: 'false',
      ...issuer.env(),
    });
    const { definition, features } = reportingService(config);
    // Loaded lazily, as the service's main does (telemetry must start before it).
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    api = new ContractClient(`http://127.0.0.1:${config.PORT}`, reportingOpenApiDocument);
    db = await createServiceDataSource({ schema: 'reporting', url: urls.appUrl, entities: [] }).initialize();
    const kafka = testKafka(env.brokers);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    tokenA = await issuer.token(tenantA, ['reports:read']);
    await produceAll(factsA, tenantA);
    await produceAll(factsB, tenantB);
    await caughtUp();
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect(), db?.destroy()]);
    await app?.close();
    await issuer?.stop();
  });

  it('builds fct_daily_channel equal to an independent recomputation from the raw facts, per tenant', async () => {
    await expectMartsToMatch(tenantA, factsA);
    await expectMartsToMatch(tenantB, factsB);
  });

  it('changes nothing when messages are redelivered or older revisions arrive late', async () => {
    const before = await martRows(tenantA);
    // The same messages again (same event ids) and every older revision again under new ids.
    await produceEvents(
      producer,
      prefix,
      'ingestion.event.accepted.v1',
      factsA.events.slice(0, 50).map((e) => ({ tenantId: tenantA, payload: e.payload, eventId: e.eventId })),
    );
    await produceEvents(
      producer,
      prefix,
      'commerce.order.recorded.v1',
      factsA.orders.map((payload) => ({ tenantId: tenantA, payload })),
    );
    await produceEvents(
      producer,
      prefix,
      'marketing.spend.recorded.v1',
      factsA.spend.map((payload) => ({ tenantId: tenantA, payload })),
    );
    await produceEvents(
      producer,
      prefix,
      'attribution.credit.computed.v1',
      factsA.credits.map((payload) => ({ tenantId: tenantA, payload })),
    );
    await caughtUp();
    expect(await martRows(tenantA)).toEqual(before);
    await expectMartsToMatch(tenantA, factsA);
  }, 120_000);

  it('serves the overview and channel table from the marts, converted to the reporting currency', async () => {
    const eurInUsd = 1.16; // the documented rate table (migration Marts)
    const totals = expectedOrderTotals(factsA);
    const revenueUsd =
      ((totals.get('USD')?.revenue ?? 0) + (totals.get('EUR')?.revenue ?? 0) * eurInUsd) / 100;
    const overview = await get<{ kpis: { name: string; value: number | null }[] }>(
      '/api/v1/reporting/overview?from=2026-10-01&to=2026-10-04&model=linear',
    );
    expect(overview.status).toBe(200);
    const kpi = (name: string) => overview.body.kpis.find((k) => k.name === name)!.value;
    expect(kpi('revenue')).toBeCloseTo(revenueUsd, 6);
    expect(kpi('orders')).toBe((totals.get('USD')?.orders ?? 0) + (totals.get('EUR')?.orders ?? 0));
    const expectedRows = [...expectedDailyChannel(factsA).entries()];
    const attributed =
      expectedRows.reduce(
        (sum, [k, r]) => sum + (r.rev_linear ?? 0) * (k.endsWith('|EUR') ? eurInUsd : 1),
        0,
      ) / 100;
    expect(kpi('attributed_revenue')).toBeCloseTo(attributed, 6);

    // The channel table, paged two rows at a time, adds up to the same totals.
    const rows: { channel: string; revenue: number; touches: number }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: typeof rows; nextCursor: string | null } } = await get(
        `/api/v1/reporting/channels?from=2026-10-01&to=2026-10-04&model=linear&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      rows.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(rows.map((r) => r.channel)).size).toBe(rows.length);
    expect(rows.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(attributed, 6);
    expect(rows.map((r) => r.revenue)).toEqual([...rows.map((r) => r.revenue)].sort((a, b) => b - a));
    const touches = factsA.events.filter((e) => e.payload.touch).length;
    expect(rows.reduce((s, r) => s + r.touches, 0)).toBe(touches);

    // A period holding the whole of October reads the month from fct_monthly_channel and the days
    // around it from fct_daily_channel: the same totals as the four days the facts fall on.
    const long = await get<{ kpis: { name: string; value: number | null }[] }>(
      '/api/v1/reporting/overview?from=2026-09-20&to=2026-11-05&model=linear',
    );
    const longKpi = (name: string) => long.body.kpis.find((k) => k.name === name)!.value;
    for (const name of [
      'revenue',
      'orders',
      'attributed_revenue',
      'attributed_conversions',
      'spend',
      'touches',
    ])
      expect([name, longKpi(name)]).toEqual([name, expect.closeTo(kpi(name)!, 6)]);
    expect(longKpi('new_customers')).toBe(expectedOrderRollups(factsA).firstOrderDay.size);
    const october = await get<{ items: typeof rows }>(
      '/api/v1/reporting/channels?from=2026-10-01&to=2026-10-31&model=linear&limit=100',
    );
    expect(october.body.items.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(attributed, 6);
    expect(october.body.items.reduce((s, r) => s + r.touches, 0)).toBe(touches);
  });

  it('serves a cached dashboard answer only at the mart version it was read at', async () => {
    const url = '/api/v1/reporting/overview?from=2026-10-01&to=2026-10-04&model=linear';
    const sessions = async () =>
      (await get<{ kpis: { name: string; value: number }[] }>(url)).body.kpis.find(
        (k) => k.name === 'sessions',
      )!.value;
    const version = async () =>
      (await db.query(`select version from mart_versions where tenant_id = $1`, [tenantA]))[0]?.version;
    const cachedAt = await version();
    expect(cachedAt).toBeDefined(); // the writer's transactions gave the tenant a version: answers are cached
    const before = await sessions();
    expect(await sessions()).toBe(before);
    // A change to a mart row in the tenant's transaction (as the writer makes them) is seen at once.
    const [, updated] = await withTenant(db, tenantA, (m) =>
      m.query(`update fct_daily_channel set sessions = sessions + 1000
               where ctid = (select ctid from fct_daily_channel where day = '2026-10-02' limit 1)`),
    );
    expect(updated).toBe(1);
    expect(await version()).not.toBe(cachedAt);
    expect(await sessions()).toBe(before + 1000);
    await withTenant(db, tenantA, (m) =>
      m.query(`update fct_daily_channel set sessions = sessions - 1000
               where ctid = (select ctid from fct_daily_channel where day = '2026-10-02' and sessions >= 1000 limit 1)`),
    );
    expect(await sessions()).toBe(before);
  });

  it('shows another tenant nothing of these marts', async () => {
    const other = await issuer.token(randomUUID(), ['reports:read']);
    const response = await get<{ items: unknown[] }>(
      '/api/v1/reporting/channels?from=2026-10-01&to=2026-10-04',
      other,
    );
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([]);
  });

  it('answers bad input with a 400 problem naming what is wrong', async () => {
    const cases = [
      '/api/v1/reporting/timeseries?metric=bounce_rate&from=2026-10-01&to=2026-10-04',
      '/api/v1/reporting/channels?from=2026-10-01&to=2026-10-04&dimension=region',
      '/api/v1/reporting/overview?from=2026-10-05&to=2026-10-01',
      '/api/v1/reporting/overview?from=2020-01-01&to=2026-10-01',
      '/api/v1/reporting/overview?from=2026-02-30&to=2026-03-01',
      '/api/v1/reporting/channels?from=2026-10-01&to=2026-10-04&cursor=bm90LWEtY3Vyc29y',
      '/api/v1/reporting/timeseries?metric=revenue&from=2026-10-01&to=2026-10-04&channel=email',
      '/api/v1/reporting/overview?from=2026-10-01&to=2026-10-04&currency=ZZZ',
    ];
    for (const url of cases) {
      const response = await get<{ status: number; detail: string }>(url);
      expect([url, response.status]).toEqual([url, 400]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // A cursor from one query is refused by another.
    const first: { body: { nextCursor: string } } = await get(
      '/api/v1/reporting/channels?from=2026-10-01&to=2026-10-04&limit=1',
    );
    const replayed = await get(
      `/api/v1/reporting/channels?from=2026-10-01&to=2026-10-03&limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(replayed.status).toBe(400);
  });

  it('raises a signal on an injected ROAS drop and not on noise, and runs its workflow', async () => {
    const tenantC = randomUUID();
    const member = randomUUID();
    const analyst = await issuer.token(tenantC, ['reports:read', 'models:run']);
    const days = Array.from({ length: 29 }, (_, i) => `2026-09-${String(i + 1).padStart(2, '0')}`);
    const noise = random(11);
    const spend = days.flatMap((date) =>
      ['paid_search', 'email'].map((channel) => ({
        tenantId: tenantC,
        payload: {
          tenantId: tenantC,
          date,
          channel,
          campaign: '',
          currency: 'USD',
          amountMinor: 10_000,
          impressions: null,
          clicks: null,
          revision: 1,
          recordedAt: `${date}T23:00:00.000Z`,
        },
      })),
    );
    const credits = days.flatMap((date, d) =>
      ['paid_search', 'email'].map((channel) => {
        // ROAS about 2 with +-5% noise; on the last day paid_search falls to 0.5.
        const revenue =
          channel === 'paid_search' && d === days.length - 1 ? 5_000 : 20_000 * (0.95 + 0.1 * noise.next());
        const credit = [{ channel, campaign: null, conversions: 1, revenueMinor: revenue }];
        const orderId = `o-${channel}-${date}`;
        return {
          tenantId: tenantC,
          payload: {
            tenantId: tenantC,
            orderId,
            revision: 1,
            profileId: null,
            convertedAt: `${date}T12:00:00.000Z`,
            currency: 'USD',
            revenueMinor: Math.round(revenue),
            touchpoints: 1,
            models: Object.fromEntries(MODELS.map((m) => [m, credit])) as never,
            computedAt: `${date}T12:00:00.000Z`,
          },
        };
      }),
    );
    await produceEvents(producer, prefix, 'marketing.spend.recorded.v1', spend);
    await produceEvents(producer, prefix, 'attribution.credit.computed.v1', credits);
    await produceEvents(producer, prefix, 'auth.member.changed.v1', [
      {
        tenantId: tenantC,
        payload: {
          tenantId: tenantC,
          userId: member,
          change: 'added',
          role: 'analyst',
          changedBy: null,
          changedAt: new Date().toISOString(),
        },
      },
    ]);
    await caughtUp();

    const post = (path: string, body: unknown, params?: Record<string, string>) =>
      api.request<Json>('POST', path, { body, params, headers: { authorization: `Bearer ${analyst}` } });
    const patch = (id: string, body: unknown) =>
      api.request<Json>('PATCH', '/api/v1/reporting/signals/{signalId}', {
        params: { signalId: id },
        body,
        headers: { authorization: `Bearer ${analyst}` },
      });
    const detected = await post('/api/v1/reporting/signals/detections', { day: '2026-09-29' });
    expect(detected.status).toBe(200);
    expect(
      detected.body.raised.map((s: { metric: string; dimension: string }) => `${s.metric} ${s.dimension}`),
    ).toEqual(['channel_roas channel:paid_search']);
    const signal = detected.body.raised[0];
    expect(signal.observed).toBeCloseTo(0.5, 6);
    expect(signal.expected).toBeGreaterThan(1.9);
    expect(signal.narrative).toContain('fell to 0.50 on 2026-09-29');
    // Judging the same day again raises nothing new; an ordinary day raises nothing.
    expect((await post('/api/v1/reporting/signals/detections', { day: '2026-09-29' })).body.raised).toEqual(
      [],
    );
    expect((await post('/api/v1/reporting/signals/detections', { day: '2026-09-28' })).body.raised).toEqual(
      [],
    );

    // Published through the outbox as reporting.signal.raised.v1.
    const consumer = testKafka(env.brokers).consumer({ groupId: `${prefix}signal-reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}reporting.signal.raised.v1`, fromBeginning: true });
    const published: Record<string, unknown>[] = [];
    void consumer.run({
      eachMessage: async ({ message }) => void published.push(JSON.parse(message.value!.toString())),
    });
    await eventually(async () => published.find((p) => p.signalId === signal.signalId), 30_000);
    await consumer.disconnect();

    expect((await patch(signal.signalId, { status: 'acknowledged' })).body.status).toBe('acknowledged');
    expect((await patch(signal.signalId, { status: 'resolved' })).body.status).toBe('resolved');
    const invalid = await patch(signal.signalId, { status: 'acknowledged' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('invalid_transition');
    expect((await patch(signal.signalId, { assigneeId: randomUUID() })).status).toBe(404);
    expect((await patch(signal.signalId, { assigneeId: member })).body.assigneeId).toBe(member);
    expect(
      (
        await post(
          '/api/v1/reporting/signals/{signalId}/comments',
          { body: 'Budget cap hit.' },
          { signalId: signal.signalId },
        )
      ).status,
    ).toBe(201);
    const detail = await api.request<Json>('GET', '/api/v1/reporting/signals/{signalId}', {
      params: { signalId: signal.signalId },
      headers: { authorization: `Bearer ${analyst}` },
    });
    expect(detail.body.activity.map((a: { kind: string }) => a.kind)).toEqual([
      'raised',
      'status_changed',
      'status_changed',
      'assigned',
      'commented',
    ]);
    // Another tenant neither sees it nor can assign to this tenant's members.
    const other = await api.request('GET', '/api/v1/reporting/signals/{signalId}', {
      params: { signalId: signal.signalId },
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(other.status).toBe(404);
    const listed = await get<{ items: { signalId: string }[] }>(
      '/api/v1/reporting/signals?status=resolved',
      analyst,
    );
    expect(listed.body.items.map((s) => s.signalId)).toEqual([signal.signalId]);
  }, 120_000);

  it(`streams a CSV export of ${(731 * 24 * exportCampaigns).toLocaleString('en')} rows in bounded memory, and the same rows as JSON`, async () => {
    const rowsExpected = 731 * 24 * exportCampaigns;
    const tenantD = randomUUID();
    const token = await issuer.token(tenantD, ['reports:read']);
    // 731 days x 24 channels x N campaigns, written straight into the mart.
    await withTenant(db, tenantD, (m) =>
      m.query(
        `insert into fct_daily_channel (tenant_id, day, channel, campaign, currency, sessions, touches, spend_minor)
         select $1, d::date, 'channel-' || c, 'campaign-' || k, 'USD', k, c, 100
         from generate_series('2024-01-01'::date, '2025-12-31'::date, '1 day') d,
              generate_series(1, 24) c, generate_series(1, $2::int) k`,
        [tenantD, exportCampaigns],
      ),
    );
    // Live memory: the heap right after a full collection, taken after every 8 MB received while
    // the export streams (a handful of collections: each is slow in a large jest heap). The service
    // runs in this process, so RSS and the uncollected heap also count garbage the collector has
    // not reached yet (clean CI runs saw 161 MB of RSS and 101 MB of heap growth).
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const liveHeap = () => {
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const baseline = liveHeap();
    let peak = baseline;
    let nextSample = 8 * 1024 * 1024;
    const response = await fetch(
      `${api.baseUrl}/api/v1/reporting/exports/daily-channel?from=2024-01-01&to=2025-12-31`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    let bytes = 0;
    let lines = 0;
    let head = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (head.length < 400) head += Buffer.from(chunk).toString('utf8').slice(0, 400);
      for (const byte of chunk) if (byte === 10) lines++;
      if (bytes >= nextSample) {
        peak = Math.max(peak, liveHeap());
        nextSample += 8 * 1024 * 1024;
      }
    }
    expect(lines).toBe(rowsExpected + 1);
    expect(head.split('\n')[0]).toBe(DAILY_CHANNEL_COLUMNS.join(','));
    expect(head.split('\n')[1]).toMatch(/^2024-01-01,channel-1,campaign-1,USD,1,1,100,0,0,0,0/);
    // Memory stays bounded whatever the size (with 57 campaigns the CSV is about 90 MB).
    expect(bytes).toBeGreaterThan(rowsExpected * 40);
    expect(peak - baseline).toBeLessThan(16 * 1024 * 1024);

    const json = await fetch(
      `${api.baseUrl}/api/v1/reporting/exports/daily-channel?from=2024-01-01&to=2024-01-01&channel=channel-3&format=json`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const rows = (await json.json()) as { campaign: string; sessions: number }[];
    expect(rows).toHaveLength(exportCampaigns);
    expect(rows.map((r) => r.sessions).reduce((a, b) => a + b, 0)).toBe(
      (exportCampaigns * (exportCampaigns + 1)) / 2,
    );
  }, 900_000);

  it('streams live updates to the right tenant only, and resumes after Last-Event-ID', async () => {
    const tenantE = randomUUID();
    const open = async (tenantId: string, lastEventId?: string) => {
      const controller = new AbortController();
      const response = await fetch(`${api.baseUrl}/api/v1/reporting/stream`, {
        headers: {
          authorization: `Bearer ${await issuer.token(tenantId, ['reports:read'])}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      let text = '';
      const reader = response.body!.getReader();
      void (async () => {
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (done) return;
          text += Buffer.from(value!).toString('utf8');
        }
      })();
      return { text: () => text, close: () => controller.abort() };
    };
    const mine = await open(tenantE);
    const theirs = await open(tenantA);
    const runId = randomUUID();
    await produceEvents(producer, prefix, 'forecasting.run.completed.v1', [
      {
        tenantId: tenantE,
        payload: {
          tenantId: tenantE,
          runId,
          status: 'succeeded',
          frequency: 'day',
          horizon: 14,
          skus: 3,
          succeeded: 3,
          failed: 0,
          completedAt: new Date().toISOString(),
        },
      },
    ]);
    await eventually(async () => mine.text().includes(runId), 30_000);
    const id = /id: (\d+)\nevent: run.completed\ndata: [^\n]*/.exec(mine.text())![1];
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(theirs.text()).not.toContain(runId);
    expect(theirs.text()).not.toContain('run.completed');
    mine.close();
    theirs.close();
    // Reconnecting from just before the run's message replays it.
    const resumed = await open(tenantE, String(BigInt(id) - 1n));
    await eventually(async () => resumed.text().includes(`id: ${id}\nevent: run.completed`), 10_000);
    resumed.close();
  }, 60_000);

  it('rebuilds the same marts from the earliest offsets', async () => {
    const before = await martRows(tenantA);
    const beforeB = await martRows(tenantB);
    const progress = await rebuildMarts({
      kafka: testKafka(env.brokers, 'rebuild-test'),
      dataSource: db,
      topics: new TopicNames(prefix),
      handlers: new MartsConsumer().eventHandlers(),
      logger: createLogger('reporting', 'silent'),
      pollMs: 300,
    });
    expect(progress.consumed).toBe(progress.total);
    expect(await martRows(tenantA)).toEqual(before);
    expect(await martRows(tenantB)).toEqual(beforeB);
  }, 180_000);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies checked by the contract client
type Json = any;

function shuffled<T>(xs: T[]): T[] {
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
