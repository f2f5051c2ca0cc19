import { reportingOpenApiDocument } from '@sextant/contracts';
import type { NestFastifyApplication } from '@sextant/platform/service';
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
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadReportingConfig } from '../config';
import { MODELS } from '../marts/__fixtures__/synthetic-facts';
import { reportingService } from '../service';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  answered: number;
}

/** Verifies x-sextant-signature the way a receiver would, with node:crypto only. */
function signatureValid(header: string, body: string, secret: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  if (!/^\d+$/.test(parts.t ?? '') || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

// The service in-process on the real PostgreSQL and Kafka with a short detection interval; a
// local HTTP receiver stands for the tenants' endpoints (Slack, a partner's server).
describe('signal webhooks and scheduled detection (real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  const prefix = `${env.topicPrefix}rep-wh-${randomUUID().slice(0, 8)}.`;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const received: Received[] = [];
  let flakyCalls = 0;
  let receiver: Server;
  let receiverUrl: string;
  let app: NestFastifyApplication;
  let issuer: TestTokenIssuer;
  let producer: Producer;
  let admin: Admin;
  let api: ContractClient;
  let adminA: string;
  let adminB: string;

  const call = <T = Json>(token: string, method: string, path: string, options: object = {}) =>
    api.request<T>(method, path, { ...options, headers: { authorization: `Bearer ${token}` } });

  const caughtUp = async () => {
    const topics = ['marketing.spend.recorded.v1', 'attribution.credit.computed.v1'].map(
      (t) => `${prefix}${t}`,
    );
    await eventually(
      async () => {
        const committed = await admin.fetchOffsets({ groupId: `${prefix}reporting`, topics });
        for (const t of committed) {
          const ends = await admin.fetchTopicOffsets(t.topic);
          for (const p of t.partitions) {
            const high = Number(ends.find((e) => e.partition === p.partition)!.high);
            if (high > 0 && Number(p.offset) < high) return false;
          }
        }
        return true;
      },
      90_000,
      300,
    );
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        let status = 200;
        if (request.url === '/gone') status = 410;
        if (request.url === '/flaky') status = flakyCalls++ === 0 ? 503 : 200;
        received.push({
          path: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered: status,
        });
        const answer = () =>
          response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'not now');
        // Longer than the service's 2 s timeout.
        if (request.url === '/slow') setTimeout(answer, 3_000).unref();
        else answer();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

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
      REPORTING_DETECTION_INTERVAL_MS: '1000',
      REPORTING_WEBHOOK_POLL_MS: '200',
      REPORTING_WEBHOOK_RETRY_BASE_MS: '500',
      REPORTING_WEBHOOK_TIMEOUT_MS: '2000',
      ...issuer.env(),
    });
    const { definition, features } = reportingService(config);
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    api = new ContractClient(`http://127.0.0.1:${config.PORT}`, reportingOpenApiDocument);
    const kafka = testKafka(env.brokers);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    const permissions = ['keys:manage', 'reports:read', 'members:manage'];
    adminA = await issuer.token(tenantA, permissions);
    adminB = await issuer.token(tenantB, permissions);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
    await app?.close();
    await issuer?.stop();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  it('refuses unsafe or malformed subscriptions with a 400 problem naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ url: 'http://example.com/hook' }, '/body/url'],
      [{ url: 'ftp://example.com/hook' }, '/body/url'],
      [{ url: 'https://10.1.2.3/hook' }, '/body/url'],
      [{ url: 'https://169.254.169.254/latest/meta-data' }, '/body/url'],
      [{ url: 'https://[fd00::1]/hook' }, '/body/url'],
      [{ url: 'https://user:pass@example.com/hook' }, '/body/url'],
      [{ url: 'not a url' }, '/body/url'],
      [{ url: `${'https://example.com/'}${'a'.repeat(2100)}` }, '/body/url'],
      [{ url: 'https://example.com/hook', minSeverity: 'critical' }, '/body/minSeverity'],
      [{ url: 'https://example.com/hook', secret: 'mine' }, '/body'],
      [{}, '/body'],
    ];
    for (const [body, field] of cases) {
      const response = await call(adminA, 'POST', '/api/v1/reporting/webhooks', { body });
      expect([body, response.status]).toEqual([body, 400]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
    }
    const readOnly = await issuer.token(tenantA, ['reports:read']);
    expect((await call(readOnly, 'GET', '/api/v1/reporting/webhooks')).status).toBe(403);
  });

  it('keeps subscriptions per tenant: another tenant cannot read, change, delete or list them (404)', async () => {
    const created = await call(adminA, 'POST', '/api/v1/reporting/webhooks', {
      body: { url: `${receiverUrl}/scratch`, minSeverity: 'medium' },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const id = created.body.webhook.webhookId;
    const params = { webhookId: id };
    expect((await call(adminB, 'GET', '/api/v1/reporting/webhooks/{webhookId}', { params })).status).toBe(
      404,
    );
    expect(
      (
        await call(adminB, 'PATCH', '/api/v1/reporting/webhooks/{webhookId}', {
          params,
          body: { enabled: false },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(adminB, 'GET', '/api/v1/reporting/webhooks/{webhookId}/deliveries', { params })).status,
    ).toBe(404);
    expect((await call(adminB, 'DELETE', '/api/v1/reporting/webhooks/{webhookId}', { params })).status).toBe(
      404,
    );
    expect(
      (await call(adminB, 'POST', '/api/v1/reporting/webhooks/{webhookId}/secret', { params })).status,
    ).toBe(404);
    expect((await call(adminB, 'GET', '/api/v1/reporting/webhooks')).body.items).toEqual([]);
    // A's own view is intact, shows no secret, and A can change and delete it.
    const mine = await call(adminA, 'GET', '/api/v1/reporting/webhooks/{webhookId}', { params });
    expect(mine.body).toMatchObject({ webhookId: id, minSeverity: 'medium', enabled: true });
    expect(JSON.stringify(mine.body)).not.toContain('whsec_');
    const patched = await call(adminA, 'PATCH', '/api/v1/reporting/webhooks/{webhookId}', {
      params,
      body: { minSeverity: 'high', enabled: false },
    });
    expect(patched.body).toMatchObject({
      minSeverity: 'high',
      enabled: false,
      url: `${receiverUrl}/scratch`,
    });
    expect((await call(adminA, 'DELETE', '/api/v1/reporting/webhooks/{webhookId}', { params })).status).toBe(
      204,
    );
    expect((await call(adminA, 'GET', '/api/v1/reporting/webhooks/{webhookId}', { params })).status).toBe(
      404,
    );
  });

  it('judges each tenant on schedule and delivers signed, severity-filtered webhooks, retrying until delivered once', async () => {
    const subscribe = async (token: string, path: string, minSeverity: string, enabled = true) => {
      const response = await call(token, 'POST', '/api/v1/reporting/webhooks', {
        body: { url: `${receiverUrl}${path}`, minSeverity, enabled },
      });
      expect(response.status).toBe(201);
      return { id: response.body.webhook.webhookId as string, secret: response.body.secret as string };
    };
    const hooks = {
      all: await subscribe(adminA, '/all', 'low'),
      high: await subscribe(adminA, '/high', 'high'),
      flaky: await subscribe(adminA, '/flaky', 'high'),
      gone: await subscribe(adminA, '/gone', 'high'),
      disabled: await subscribe(adminA, '/disabled', 'low', false),
      slow: await subscribe(adminA, '/slow', 'high'),
      otherTenant: await subscribe(adminB, '/tenant-b', 'low'),
    };
    // A rotated secret signs from then on; the one it replaced no longer verifies.
    const replacedSecret = hooks.high.secret;
    const rotated = await call(adminA, 'POST', '/api/v1/reporting/webhooks/{webhookId}/secret', {
      params: { webhookId: hooks.high.id },
    });
    expect(rotated.status).toBe(200);
    hooks.high.secret = rotated.body.secret;
    expect(hooks.high.secret).not.toBe(replacedSecret);

    // 28 days of ROAS alternating 1.9 and 2.1 (median 2.0, MAD 0.1) for two channels, then
    // yesterday paid_search falls to 0.5 (robust z = 0.6745 x 1.5 / 0.1 = 10.1: high) and email
    // to 1.4 (z = 0.6745 x 0.6 / 0.1 = 4.05: low; 30% below). No detection is requested.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const days = Array.from({ length: 28 }, (_, i) => addDays(yesterday, i - 28));
    const credit = (date: string, channel: string, revenueMinor: number) => ({
      tenantId: tenantA,
      payload: {
        tenantId: tenantA,
        orderId: `o-${channel}-${date}`,
        revision: 1,
        profileId: null,
        convertedAt: `${date}T12:00:00.000Z`,
        currency: 'USD',
        revenueMinor,
        touchpoints: 1,
        models: Object.fromEntries(
          MODELS.map((m) => [m, [{ channel, campaign: null, conversions: 1, revenueMinor }]]),
        ) as never,
        computedAt: `${date}T12:00:00.000Z`,
      },
    });
    const spend = (date: string, channel: string) => ({
      tenantId: tenantA,
      payload: {
        tenantId: tenantA,
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
    });
    const channels = ['paid_search', 'email'];
    await produceEvents(
      producer,
      prefix,
      'attribution.credit.computed.v1',
      days.flatMap((d, i) => channels.map((c) => credit(d, c, i % 2 ? 21_000 : 19_000))),
    );
    await produceEvents(
      producer,
      prefix,
      'marketing.spend.recorded.v1',
      days.flatMap((d) => channels.map((c) => spend(d, c))),
    );
    await caughtUp();
    // Yesterday's revenue before its spend: a pass in between sees no ROAS for the day (no spend),
    // never a partial one.
    await produceEvents(producer, prefix, 'attribution.credit.computed.v1', [
      credit(yesterday, 'paid_search', 5_000),
      credit(yesterday, 'email', 14_000),
    ]);
    await caughtUp();
    await produceEvents(
      producer,
      prefix,
      'marketing.spend.recorded.v1',
      channels.map((c) => spend(yesterday, c)),
    );

    type Signal = {
      signalId: string;
      dimension: string;
      severity: string;
      expected: number;
      observed: number;
      day: string;
    };
    const signals = await eventually(
      async () => {
        const page = await call<{ items: Signal[] }>(adminA, 'GET', '/api/v1/reporting/signals');
        return page.body.items.length >= 2 && page.body.items;
      },
      60_000,
      250,
    );
    const byChannel = Object.fromEntries(signals.map((s) => [s.dimension, s]));
    expect(Object.keys(byChannel).sort()).toEqual(['channel:email', 'channel:paid_search']);
    expect(byChannel['channel:paid_search']).toMatchObject({ severity: 'high', day: yesterday });
    expect(byChannel['channel:email']).toMatchObject({ severity: 'low', day: yesterday });
    expect(byChannel['channel:paid_search'].observed).toBeCloseTo(0.5, 9);
    expect(byChannel['channel:email'].observed).toBeCloseTo(1.4, 9);
    expect(byChannel['channel:paid_search'].expected).toBeCloseTo(2.0, 9);

    const at = (path: string) => received.filter((r) => r.path === path);
    await eventually(
      async () =>
        at('/all').length === 2 &&
        at('/high').length === 1 &&
        at('/flaky').length === 2 &&
        at('/gone').length === 1,
      30_000,
      100,
    );
    // Nothing more arrives: the flaky receiver got one failure and one success, then no repeat.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(at('/all')).toHaveLength(2);
    expect(at('/high')).toHaveLength(1);
    expect(at('/flaky').map((r) => r.answered)).toEqual([503, 200]);
    expect(at('/gone')).toHaveLength(1);
    expect(at('/disabled')).toEqual([]);
    expect(at('/tenant-b')).toEqual([]);
    expect((await call(adminA, 'GET', '/api/v1/reporting/signals')).body.items).toHaveLength(2);

    const secretOf = {
      '/all': hooks.all.secret,
      '/high': hooks.high.secret,
      '/flaky': hooks.flaky.secret,
      '/gone': hooks.gone.secret,
    } as Record<string, string>;
    for (const request of received.filter((r) => r.path in secretOf)) {
      expect(
        signatureValid(String(request.headers['x-sextant-signature']), request.body, secretOf[request.path]),
      ).toBe(true);
      // Another subscription's secret does not verify it.
      expect(
        signatureValid(String(request.headers['x-sextant-signature']), request.body, hooks.disabled.secret),
      ).toBe(false);
      expect(request.headers['content-type']).toBe('application/json');
      const body = JSON.parse(request.body);
      expect(typeof body.text).toBe('string');
      expect(Array.isArray(body.blocks)).toBe(true);
      const signal = signals.find((s) => s.signalId === body.sextant.signalId)!;
      expect(body.sextant).toMatchObject({
        deliveryId: request.headers['x-sextant-delivery-id'],
        tenantId: tenantA,
        metric: 'channel_roas',
        dimension: signal.dimension,
        severity: signal.severity,
        expected: signal.expected,
        observed: signal.observed,
        day: yesterday,
      });
      expect(body.text).toContain(signal.severity.toUpperCase());
    }
    expect(at('/high')[0].body).toContain('channel:paid_search');
    expect(
      signatureValid(
        String(at('/high')[0].headers['x-sextant-signature']),
        at('/high')[0].body,
        replacedSecret,
      ),
    ).toBe(false);
    // A retry repeats the delivery id and the exact body.
    const [first, second] = at('/flaky');
    expect(second.headers['x-sextant-delivery-id']).toBe(first.headers['x-sextant-delivery-id']);
    expect(second.body).toBe(first.body);

    const history = async (id: string, token = adminA) =>
      (
        await call(token, 'GET', '/api/v1/reporting/webhooks/{webhookId}/deliveries', {
          params: { webhookId: id },
        })
      ).body.items;
    expect(await history(hooks.flaky.id)).toEqual([
      expect.objectContaining({
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
      }),
    ]);
    expect(await history(hooks.gone.id)).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        lastStatusCode: 410,
        lastError: 'HTTP 410: not now',
      }),
    ]);
    expect((await history(hooks.all.id)).map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
    ]);
    expect(await history(hooks.disabled.id)).toEqual([]);
    // A receiver slower than the timeout: the attempt is cut off, recorded and retried.
    const [slow] = await eventually(async () => {
      const items = await history(hooks.slow.id);
      return items[0]?.attempts >= 1 && items;
    }, 20_000);
    expect(slow).toMatchObject({ lastStatusCode: null, lastError: 'no answer within 2000 ms' });
    expect(['pending', 'failed']).toContain(slow.status);
    expect(await history(hooks.otherTenant.id, adminB)).toEqual([]);
    const delivered = await call(adminA, 'GET', '/api/v1/reporting/webhooks/{webhookId}/deliveries', {
      params: { webhookId: hooks.all.id },
      query: { status: 'failed' },
    });
    expect(delivered.body.items).toEqual([]);
  }, 180_000);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies checked by the contract client
type Json = any;
