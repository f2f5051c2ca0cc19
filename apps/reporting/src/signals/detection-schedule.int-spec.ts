import { createServiceDataSource, Transactions, withTenant } from '@sextant/platform/database';
import type { NestFastifyApplication } from '@sextant/platform/service';
import { freePort, serviceUrls, testEnvironment, TestTokenIssuer } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadReportingConfig, type ReportingConfig } from '../config';
import { reportingService } from '../service';
import { DetectionScheduler, yesterdayUtc } from './detection-schedule';
import { SignalsService } from './signals.service';

// Two schedulers on one database stand for two replicas (the service's own timer is off here).
describe('scheduled signal detection (real PostgreSQL)', () => {
  const env = testEnvironment();
  let app: NestFastifyApplication;
  let issuer: TestTokenIssuer;
  let db: DataSource;
  let config: ReportingConfig;

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    const urls = serviceUrls(env, 'reporting');
    config = loadReportingConfig({
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: urls.appUrl,
      KAFKA_BROKERS: env.brokers.join(','),
      KAFKA_TOPIC_PREFIX: `${env.topicPrefix}rep-det-${randomUUID().slice(0, 8)}.`,
      REPORTING_REBUILD_ON_START: 'false',
      REPORTING_DETECTION_INTERVAL_MS: '0',
      ...issuer.env(),
    });
    const { definition, features } = reportingService(config);
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    db = await createServiceDataSource({ schema: 'reporting', url: urls.appUrl, entities: [] }).initialize();
  }, 120_000);

  afterAll(async () => {
    await db?.destroy();
    await app?.close();
    await issuer?.stop();
  });

  it('judges a due tenant once per interval across replicas and raises the injected anomaly', async () => {
    const tenantId = randomUUID();
    const yesterday = yesterdayUtc();
    // 28 days of ROAS alternating 1.9 and 2.1 (median 2.0, MAD 0.1), then 0.5 yesterday:
    // robust z = 0.6745 x (0.5 - 2.0) / 0.1 = -10.1, a high-severity drop.
    await withTenant(db, tenantId, (m) =>
      m.query(
        `insert into fct_daily_channel (tenant_id, day, channel, campaign, currency, spend_minor, conv_last_touch, rev_last_touch)
         select $1, $2::date - d, 'paid_search', '', 'USD', 10000, 1,
                case when d = 0 then 5000 when d % 2 = 0 then 19000 else 21000 end
         from generate_series(0, 28) d`,
        [tenantId, yesterday],
      ),
    );
    await db.query(
      `insert into detection_slots (tenant_id, next_run_at) values ($1, now() - interval '1 minute')`,
      [tenantId],
    );
    const hourly = { ...config, REPORTING_DETECTION_INTERVAL_MS: 3_600_000 };
    const replica = () => new DetectionScheduler(app.get(Transactions), app.get(SignalsService), hourly);
    const passes = await Promise.all([replica().runDue(), replica().runDue()]);
    expect(passes.flatMap((p) => p.judged).filter((t) => t === tenantId)).toEqual([tenantId]);

    const signals: {
      dimension: string;
      severity: string;
      expected: number;
      observed: number;
      day: string;
    }[] = await withTenant(db, tenantId, (m) =>
      m.query(
        `select dimension, severity, expected, observed, to_char(day, 'YYYY-MM-DD') as day from signals`,
      ),
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ dimension: 'channel:paid_search', severity: 'high', day: yesterday });
    expect(signals[0].expected).toBeCloseTo(2.0, 9);
    expect(signals[0].observed).toBeCloseTo(0.5, 9);

    // The slot moved an interval on: the next pass leaves the tenant alone.
    const [slot] = await db.query(
      `select extract(epoch from next_run_at - now()) as wait from detection_slots where tenant_id = $1`,
      [tenantId],
    );
    expect(Number(slot.wait)).toBeGreaterThan(3_500);
    expect((await replica().runDue()).judged).not.toContain(tenantId);
  });
});
