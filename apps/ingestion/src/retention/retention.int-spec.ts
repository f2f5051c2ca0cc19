import { ingestionOpenApiDocument } from '@sextant/contracts';
import type { NestFastifyApplication } from '@sextant/platform/service';
import {
  ContractClient,
  eventually,
  freePort,
  serviceUrls,
  testEnvironment,
  testKafka,
} from '@sextant/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Client } from 'pg';
import { loadIngestionConfig } from '../config';
import { ingestionService } from '../service';
import { RetentionPurgeJob } from './retention-purge.job';

interface Tenant {
  tenantId: string;
  headers: { authorization: string };
}
interface Problem {
  errors?: { field: string; message: string }[];
}

const DAY_MS = 86_400_000;
// A fixed "now" for the purge; rows are placed one second either side of each window's edge.
const NOW = new Date('2026-11-20T12:00:00.000Z');
const at = (daysAgo: number, seconds: number) => new Date(NOW.getTime() - daysAgo * DAY_MS + seconds * 1000);

describe('retention windows and purge (ingestion in-process, real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let app: NestFastifyApplication;
  let jwks: Server;
  let api: ContractClient;
  let base: string;
  let custom: Tenant;
  let defaults: Tenant;
  let consumer: Consumer;
  const changes: Record<string, unknown>[] = [];

  /** As the schema owner inside a tenant, or across tenants with `null` (purge test fixtures). */
  const asOwner = async (tenantId: string | null, sql: string, values: unknown[] = []) => {
    const client = new Client({ connectionString: serviceUrls(env, 'ingestion').ownerUrl });
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
  const putRetention = (who: Tenant, body: unknown) =>
    api.request<Problem & { windows: Record<string, number> }>('PUT', '/api/v1/ingestion/privacy/retention', {
      body,
      headers: who.headers,
    });

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'retention-test', alg: 'ES256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    const jwksPort = await freePort();
    await new Promise<void>((resolve) => jwks.listen(jwksPort, '127.0.0.1', resolve));
    const tenant = async (): Promise<Tenant> => {
      const tenantId = randomUUID();
      const token = await new SignJWT({ tid: tenantId, perms: ['privacy:manage'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'retention-test', typ: 'at+jwt' })
        .setSubject(randomUUID())
        .setJti(randomUUID())
        .setIssuer('https://auth.sextant.local')
        .setAudience('sextant-api')
        .setIssuedAt()
        .setExpirationTime('30m')
        .sign(privateKey);
      return { tenantId, headers: { authorization: `Bearer ${token}` } };
    };
    custom = await tenant();
    defaults = await tenant();

    const port = await freePort();
    const config = loadIngestionConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: serviceUrls(env, 'ingestion').appUrl,
      KAFKA_BROKERS: env.brokers.join(','),
      KAFKA_TOPIC_PREFIX: env.topicPrefix,
      AUTH_JWKS_URL: `http://127.0.0.1:${jwksPort}/.well-known/jwks.json`,
      OUTBOX_POLL_MS: '50',
    });
    const { definition, features } = ingestionService(config);
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    base = `http://127.0.0.1:${port}`;
    api = new ContractClient(base, ingestionOpenApiDocument);
    consumer = testKafka(env.brokers, 'retention-test').consumer({
      groupId: `${env.topicPrefix}retention-test-${randomUUID()}`,
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [`${env.topicPrefix}privacy.retention.changed.v1`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        changes.push(JSON.parse(String(message.value)));
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await app?.close();
    jwks?.close();
  });

  it('answers the defaults, refuses windows outside their bounds with 400 naming them, publishes a change', async () => {
    const initial = await api.request<{ windows: unknown; updatedAt: string | null }>(
      'GET',
      '/api/v1/ingestion/privacy/retention',
      { headers: defaults.headers },
    );
    expect(initial.status).toBe(200);
    // The documented defaults (contract: RetentionWindows).
    expect(initial.body).toMatchObject({
      windows: { rawEventsDays: 395, deadLettersDays: 30, journeysDays: 395, auditLogDays: 730 },
      updatedAt: null,
    });

    const valid = { rawEventsDays: 30, deadLettersDays: 7, journeysDays: 400, auditLogDays: 365 };
    for (const [field, value] of [
      ['auditLogDays', 364],
      ['rawEventsDays', 6],
      ['deadLettersDays', 0],
      ['journeysDays', 3651],
      ['rawEventsDays', 'thirty'],
    ] as const) {
      const refused = await putRetention(custom, { ...valid, [field]: value });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(refused.body.errors)).toContain(field);
    }
    const { auditLogDays: _missing, ...incomplete } = valid;
    expect((await putRetention(custom, incomplete)).status).toBe(400);

    const set = await putRetention(custom, valid);
    expect(set.status).toBe(200);
    expect(set.body.windows).toEqual(valid);
    const change = await eventually(async () => changes.find((c) => c.tenantId === custom.tenantId));
    expect(change).toMatchObject({ tenantId: custom.tenantId, windows: valid });
  });

  it('deletes exactly what is past each tenant window, in bounded batches, leaving aggregates', async () => {
    const tracked = async (tenantId: string, messageId: string, receivedAt: Date) =>
      asOwner(
        tenantId,
        `INSERT INTO ingestion.tracked_messages (tenant_id, message_id, event_id, received_at) VALUES ($1, $2, $3, $4)`,
        [tenantId, messageId, randomUUID(), receivedAt],
      );
    const deadLetter = async (tenantId: string, messageId: string, receivedAt: Date) =>
      asOwner(
        tenantId,
        `INSERT INTO ingestion.dead_letters (dead_letter_id, tenant_id, endpoint, message_id, errors, raw_event, received_at)
         VALUES ($1, $2, 'track', $3, '[]', '{}', $4)`,
        [randomUUID(), tenantId, messageId, receivedAt],
      );
    // The custom tenant keeps raw events 30 days and dead letters 7; the other has the defaults (395, 30).
    await tracked(custom.tenantId, 'custom-inside', at(30, +1));
    await tracked(custom.tenantId, 'custom-outside', at(30, -1));
    for (let n = 0; n < 11; n++) await tracked(custom.tenantId, `custom-old-${n}`, at(40 + n, 0));
    await tracked(defaults.tenantId, 'default-inside', at(395, +1));
    await tracked(defaults.tenantId, 'default-outside', at(395, -1));
    await tracked(defaults.tenantId, 'default-recent', at(31, 0)); // past the custom window, not its own
    await deadLetter(custom.tenantId, 'custom-inside', at(7, +1));
    await deadLetter(custom.tenantId, 'custom-outside', at(7, -1));
    await deadLetter(defaults.tenantId, 'default-inside', at(30, +1));
    await deadLetter(defaults.tenantId, 'default-outside', at(30, -1));
    // Aggregates with no personal data are not a purged class, however old.
    await asOwner(
      custom.tenantId,
      `INSERT INTO ingestion.ad_spend (tenant_id, date, channel, campaign, currency, amount_minor, revision, recorded_at)
       VALUES ($1, '2020-01-01', 'Paid Search', 'old', 'USD', 1000, 1, $2)`,
      [custom.tenantId, at(2000, 0)],
    );

    const job = app.get(RetentionPurgeJob);
    // Another replica holds the purge lock: this one skips and deletes nothing.
    const other = new Client({ connectionString: serviceUrls(env, 'ingestion').appUrl });
    await other.connect();
    await other.query(`SELECT pg_advisory_lock(hashtextextended('ingestion:retention-purge', 0))`);
    expect(await job.run(NOW, 5)).toBeNull();
    await other.end();

    // 13 raw events past their windows (custom-outside, 11 old, default-outside) in batches of 5.
    expect(await job.run(NOW, 5)).toEqual({ raw_events: 13, dead_letters: 2 });
    const left = async (table: string) =>
      (
        await asOwner(
          null,
          `SELECT message_id FROM ingestion.${table} WHERE tenant_id = ANY($1) ORDER BY message_id`,
          [[custom.tenantId, defaults.tenantId]],
        )
      ).map((r) => r.message_id);
    expect(await left('tracked_messages')).toEqual(['custom-inside', 'default-inside', 'default-recent']);
    expect(await left('dead_letters')).toEqual(['custom-inside', 'default-inside']);
    const spend = await asOwner(custom.tenantId, `SELECT campaign FROM ingestion.ad_spend`);
    expect(spend).toEqual([{ campaign: 'old' }]);
    // A second run finds nothing more.
    expect(await job.run(NOW, 5)).toEqual({ raw_events: 0, dead_letters: 0 });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /^ingestion_retention_rows_purged_total\{[^}]*data_class="raw_events"[^}]*\} 13$/m,
    );
    expect(metrics).toMatch(
      /^ingestion_retention_rows_purged_total\{[^}]*data_class="dead_letters"[^}]*\} 2$/m,
    );
  });

  it('reads the dedup table oldest first through its time index: a run with nothing expired scans no row', async () => {
    await asOwner(
      custom.tenantId,
      `INSERT INTO ingestion.tracked_messages (tenant_id, message_id, event_id, received_at)
       SELECT $1, 'recent-' || n, gen_random_uuid(), $2 FROM generate_series(1, 20000) AS n`,
      [custom.tenantId, at(1, 0)],
    );
    await asOwner(null, 'ANALYZE ingestion.tracked_messages');
    // The rows this session read from the table (its statistics not yet flushed).
    const client = new Client({ connectionString: serviceUrls(env, 'ingestion').ownerUrl });
    await client.connect();
    try {
      const purged = await client.query('SELECT ingestion.purge_tracked_messages($1, 395, 5000) AS deleted', [
        NOW,
      ]);
      const read = await client.query(
        `SELECT pg_stat_get_xact_tuples_returned('ingestion.tracked_messages'::regclass)
              + pg_stat_get_xact_tuples_fetched('ingestion.tracked_messages'::regclass) AS rows_read`,
      );
      expect({ ...purged.rows[0], ...read.rows[0] }).toEqual({ deleted: 0, rows_read: '0' });
    } finally {
      await client.end();
    }
  });
});
