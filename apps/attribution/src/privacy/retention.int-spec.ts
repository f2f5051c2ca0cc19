import type { NestFastifyApplication } from '@sextant/platform/service';
import {
  eventually,
  freePort,
  produceEvents,
  serviceUrls,
  testEnvironment,
  testKafka,
} from '@sextant/testing';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { loadAttributionConfig } from '../config';
import { attributionService } from '../service';
import { RetentionPurgeJob } from './retention';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00.000Z');
const at = (daysAgo: number, seconds: number) => new Date(NOW.getTime() - daysAgo * DAY_MS + seconds * 1000);

describe('journeys retention (attribution in-process, real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let app: NestFastifyApplication;
  let producer: Producer;
  const custom = randomUUID();
  const defaults = randomUUID();

  /** As the schema owner inside a tenant, or across tenants with `null`. */
  const asOwner = async (tenantId: string | null, sql: string, values: unknown[] = []) => {
    const client = new Client({ connectionString: serviceUrls(env, 'attribution').ownerUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      if (tenantId) await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      const result = await client.query(sql, values);
      await client.query('COMMIT');
      return result.rows;
    } finally {
      await client.end();
    }
  };
  const touch = (tenantId: string, campaign: string, touchedAt: Date) =>
    asOwner(
      tenantId,
      `INSERT INTO attribution.touchpoints (tenant_id, event_id, profile_id, channel, campaign, touched_at)
       VALUES ($1, $2, $3, 'Email', $4, $5)`,
      [tenantId, randomUUID(), randomUUID(), campaign, touchedAt],
    );
  const windows = (journeysDays: number) => ({
    rawEventsDays: 30,
    deadLettersDays: 7,
    journeysDays,
    auditLogDays: 365,
  });

  beforeAll(async () => {
    const port = await freePort();
    const config = loadAttributionConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: serviceUrls(env, 'attribution').appUrl,
      KAFKA_BROKERS: env.brokers.join(','),
      KAFKA_TOPIC_PREFIX: env.topicPrefix,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    });
    const { definition, features } = attributionService(config);
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    producer = testKafka(env.brokers, 'retention-test').producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  });

  it('keeps the newest window per tenant and deletes exactly the touchpoints past it, in batches', async () => {
    // An older change delivered after the newer one must not win.
    const [, stale] = await produceEvents(producer, env.topicPrefix, 'privacy.retention.changed.v1', [
      {
        tenantId: custom,
        payload: { tenantId: custom, windows: windows(400), changedAt: '2026-11-02T00:00:00Z' },
      },
      {
        tenantId: custom,
        payload: { tenantId: custom, windows: windows(3000), changedAt: '2026-11-01T00:00:00Z' },
      },
    ]);
    await eventually(async () => {
      const rows = await asOwner(custom, `SELECT 1 FROM attribution.processed_events WHERE event_id = $1`, [
        stale,
      ]);
      return rows.length === 1;
    }, 30_000);
    const [kept] = await asOwner(custom, `SELECT journeys_days FROM attribution.retention_windows`);
    expect(kept.journeys_days).toBe(400);

    await touch(custom, 'inside', at(400, +1));
    await touch(custom, 'outside', at(400, -1));
    for (let n = 0; n < 6; n++) await touch(custom, `old-${n}`, at(500 + n, 0));
    await touch(defaults, 'inside', at(395, +1)); // the default window, 395 days
    await touch(defaults, 'outside', at(395, -1));
    await asOwner(
      custom,
      `INSERT INTO attribution.conversions (tenant_id, order_id, profile_id, converted_at, currency, revenue_minor, order_revision)
       VALUES ($1, 'old-order', NULL, $2, 'USD', 1000, 1)`,
      [custom, at(2000, 0)],
    );

    const job = app.get(RetentionPurgeJob);
    expect(await job.run(NOW, 3)).toEqual({ journeys: 8 });
    const left = await asOwner(
      null,
      `SELECT tenant_id, campaign FROM attribution.touchpoints WHERE tenant_id = ANY($1) ORDER BY campaign`,
      [[custom, defaults]],
    );
    expect(left).toEqual([
      { tenant_id: custom, campaign: 'inside' },
      { tenant_id: defaults, campaign: 'inside' },
    ]);
    // Conversions (revenue and credits per channel) are not a purged class.
    expect(await asOwner(custom, `SELECT order_id FROM attribution.conversions`)).toEqual([
      { order_id: 'old-order' },
    ]);
    expect(await job.run(NOW, 3)).toEqual({ journeys: 0 });
  });
});
