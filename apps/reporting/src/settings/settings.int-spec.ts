import { reportingOpenApiDocument } from '@sextant/contracts';
import { createServiceDataSource, withTenant } from '@sextant/platform/database';
import type { NestFastifyApplication } from '@sextant/platform/service';
import { ContractClient, freePort, serviceUrls, testEnvironment, TestTokenIssuer } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadReportingConfig } from '../config';
import { reportingService } from '../service';

describe('reporting currency setting (real PostgreSQL)', () => {
  const env = testEnvironment();
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let app: NestFastifyApplication;
  let issuer: TestTokenIssuer;
  let db: DataSource;
  let api: ContractClient;
  let adminA: string;

  const call = <T = Json>(token: string, method: string, path: string, options: object = {}) =>
    api.request<T>(method, path, { ...options, headers: { authorization: `Bearer ${token}` } });

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
      KAFKA_TOPIC_PREFIX: `${env.topicPrefix}rep-set-${randomUUID().slice(0, 8)}.`,
      REPORTING_REBUILD_ON_START: 'false',
      REPORTING_DETECTION_INTERVAL_MS: '0',
      ...issuer.env(),
    });
    const { definition, features } = reportingService(config);
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    api = new ContractClient(`http://127.0.0.1:${config.PORT}`, reportingOpenApiDocument);
    db = await createServiceDataSource({ schema: 'reporting', url: urls.appUrl, entities: [] }).initialize();
    adminA = await issuer.token(tenantA, ['reports:read', 'members:manage']);
    // 116.00 USD of spend and 23.20 USD of last-touch revenue on one day.
    for (const tenantId of [tenantA, tenantB])
      await withTenant(db, tenantId, (m) =>
        m.query(
          `insert into fct_daily_channel (tenant_id, day, channel, campaign, currency, spend_minor, conv_last_touch, rev_last_touch)
           values ($1, '2026-10-01', 'email', '', 'USD', 11600, 1, 2320)`,
          [tenantId],
        ),
      );
  }, 120_000);

  afterAll(async () => {
    await db?.destroy();
    await app?.close();
    await issuer?.stop();
  });

  const overview = async (token: string, currency?: string) => {
    const response = await call(token, 'GET', '/api/v1/reporting/overview', {
      query: { from: '2026-10-01', to: '2026-10-01', ...(currency ? { currency } : {}) },
    });
    expect(response.status).toBe(200);
    const kpi = (name: string) => response.body.kpis.find((k: { name: string }) => k.name === name).value;
    return { currency: response.body.currency, spend: kpi('spend'), revenue: kpi('attributed_revenue') };
  };

  it('is USD until set, then converts the dashboards of that tenant only', async () => {
    expect((await call(adminA, 'GET', '/api/v1/reporting/settings')).body).toEqual({
      reportingCurrency: 'USD',
    });
    expect(await overview(adminA)).toEqual({ currency: 'USD', spend: 116, revenue: 23.2 });

    const set = await call(adminA, 'PUT', '/api/v1/reporting/settings', {
      body: { reportingCurrency: 'EUR' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ reportingCurrency: 'EUR' });
    expect((await call(adminA, 'GET', '/api/v1/reporting/settings')).body).toEqual({
      reportingCurrency: 'EUR',
    });
    // One EUR is 1.16 USD in the documented rate table (migration Marts): 116 USD = 100 EUR.
    const inEur = await overview(adminA);
    expect(inEur.currency).toBe('EUR');
    expect(inEur.spend).toBeCloseTo(100, 9);
    expect(inEur.revenue).toBeCloseTo(20, 9);
    // An explicit currency parameter still wins; another tenant is unaffected.
    expect(await overview(adminA, 'USD')).toEqual({ currency: 'USD', spend: 116, revenue: 23.2 });
    const viewerB = await issuer.token(tenantB, ['reports:read']);
    expect((await call(viewerB, 'GET', '/api/v1/reporting/settings')).body).toEqual({
      reportingCurrency: 'USD',
    });
    expect((await overview(viewerB)).currency).toBe('USD');
  });

  it('refuses codes that are not ISO 4217 currencies of the rate table with a 400 problem', async () => {
    for (const body of [
      { reportingCurrency: 'ZZZ' },
      { reportingCurrency: 'eur' },
      { reportingCurrency: 'EURO' },
      { reportingCurrency: 42 },
      { reportingCurrency: 'EUR', extra: true },
      {},
    ]) {
      const response = await call(adminA, 'PUT', '/api/v1/reporting/settings', { body });
      expect([body, response.status]).toEqual([body, 400]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(response.body.errors)).toMatch(/\/body/);
    }
    const zzz = await call(adminA, 'PUT', '/api/v1/reporting/settings', {
      body: { reportingCurrency: 'ZZZ' },
    });
    expect(zzz.body.errors).toEqual([expect.objectContaining({ field: '/body/reportingCurrency' })]);
    expect((await call(adminA, 'GET', '/api/v1/reporting/settings')).body).toEqual({
      reportingCurrency: 'EUR',
    });
    // Setting it is for tenant administrators.
    const viewer = await issuer.token(tenantA, ['reports:read']);
    expect(
      (await call(viewer, 'PUT', '/api/v1/reporting/settings', { body: { reportingCurrency: 'GBP' } }))
        .status,
    ).toBe(403);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies checked by the contract client
type Json = any;
