import { gatewayOpenApiDocument } from '@sextant/contracts';
import { SHOPIFY_ORDER_UPDATED } from '@sextant/domain/ingestion/fixtures';
import {
  ContractClient,
  eventually,
  type RunningStack,
  type SignedUpOwner,
  signUp,
  startStack,
  testEnvironment,
} from '@sextant/testing';
import { createHmac, randomUUID } from 'node:crypto';
import { Client } from 'pg';

interface BatchReceipt {
  accepted: number;
  duplicates: number;
  rejected: number;
  suppressed: number;
  results: { index: number; status: string }[];
}
interface SubjectRequest {
  requestId: string;
  status: string;
  profileIds: string[];
  services: { service: string; status: string; erased: Record<string, number> }[];
  export?: {
    identifiers: { kind: string; value: string }[];
    events: { messageId: string }[];
    orders: { orderId: string }[];
  };
}
interface Suppression {
  suppressionId: string;
  requestId: string;
}

const SHOPIFY_SECRET = 'shpss_privacy_e2e';
const BOB_EMAIL = 'bob.norman@mail.example.com'; // the fixture order's email
const ALICE_EMAIL = 'alice@example.com';
const hmac = (secret: string, data: string, encoding: 'base64' | 'hex') =>
  createHmac('sha256', secret).update(data, 'utf8').digest(encoding);
const SCHEMAS = ['ingestion', 'attribution', 'reporting', 'forecasting'];
/** Every service that erases subject data and confirms. */
const CONFIRMING = ['attribution', 'forecasting', 'ingestion', 'reporting'];

jest.setTimeout(400_000);

describe('subject deletion through the gateway (real processes, PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let owner: SignedUpOwner;
  let bystander: SignedUpOwner;
  const run = Date.now().toString(36);
  const bob = { anon: `anon-bob-${run}`, phone: `anon-bob-phone-${run}`, user: `user-bob-${run}` };
  const alice = { anon: `anon-alice-${run}`, user: `user-alice-${run}` };
  const bobHash = () => hmac(owner.tenantId, BOB_EMAIL, 'hex');
  const aliceHash = () => hmac(owner.tenantId, ALICE_EMAIL, 'hex');

  /** The run's database as the administrator (row-level security does not hide other rows). */
  const admin = async <T>(sql: string, values: unknown[] = []): Promise<T[]> => {
    const url = new URL(env.adminUrl);
    url.pathname = `/${env.database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as T[];
    } finally {
      await client.end();
    }
  };
  /**
   * Every row of every table of the services' schemas, as JSON text, by table: the rows of one
   * tenant where a table has tenants. The run's database is shared by every e2e file of the jest run
   * (other tenants deliver the same fixture order), so unscoped rows would find their copies.
   */
  const everyRow = async (tenantId = owner.tenantId) => {
    const tables = await admin<{ name: string; tenanted: boolean }>(
      `SELECT t.table_schema || '.' || t.table_name AS name,
              EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = t.table_schema
                         AND c.table_name = t.table_name AND c.column_name = 'tenant_id') AS tenanted
         FROM information_schema.tables t
        WHERE t.table_schema = ANY($1) AND t.table_type = 'BASE TABLE'`,
      [SCHEMAS],
    );
    const rows: Record<string, string[]> = {};
    for (const { name, tenanted } of tables)
      rows[name] = (
        await admin<{ row: string }>(
          `SELECT row_to_json(t)::text AS row FROM ${name} t${tenanted ? ' WHERE tenant_id::text = $1' : ''}`,
          tenanted ? [tenantId] : [],
        )
      ).map((r) => r.row);
    return rows;
  };
  const tablesHolding = (rows: Record<string, string[]>, needle: string, except: string[] = []) =>
    Object.entries(rows)
      .filter(([table, texts]) => !except.includes(table) && texts.some((t) => t.includes(needle)))
      .map(([table]) => table);

  const batch = (events: Record<string, unknown>[]) =>
    api.request<BatchReceipt>('POST', '/api/v1/ingestion/v1/batch', {
      body: { batch: events },
      headers: owner.headers,
    });
  const page = (anonymousId: string, timestamp: string, extra: Record<string, unknown> = {}) => ({
    type: 'page',
    messageId: randomUUID(),
    anonymousId,
    timestamp,
    properties: { url: 'https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring' },
    ...extra,
  });
  const deliverOrder = (body: string, eventId: string, toSource = sourceId) =>
    api.request<{ outcome: string }>('POST', '/api/v1/ingestion/webhooks/{provider}/{sourceId}', {
      params: { provider: 'shopify', sourceId: toSource },
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'X-Shopify-Hmac-Sha256': hmac(SHOPIFY_SECRET, body, 'base64'),
        'X-Shopify-Topic': 'orders/updated',
        'X-Shopify-Event-Id': eventId,
      },
    });
  const fileRequest = (body: Record<string, unknown>) =>
    api.request<SubjectRequest>('POST', '/api/v1/ingestion/privacy/requests', {
      body,
      headers: owner.headers,
    });
  let sourceId: string;
  const aliceOrder = JSON.stringify({
    ...SHOPIFY_ORDER_UPDATED,
    id: 450789470,
    name: '#1002',
    email: ALICE_EMAIL,
    customer: {
      ...(SHOPIFY_ORDER_UPDATED as { customer: object }).customer,
      id: 999000111,
      email: ALICE_EMAIL,
    },
  });

  beforeAll(async () => {
    const services = ['auth', 'ingestion', 'attribution', 'forecasting', 'reporting', 'gateway'] as const;
    stack = await startStack(env, [...services]).catch(() => startStack(env, [...services]));
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    owner = await signUp(stack.urls.gateway, 'Privacy shop');
    const source = await api.request<{ sourceId: string }>('POST', '/api/v1/ingestion/webhook-sources', {
      body: { provider: 'shopify', name: 'Shop', secret: SHOPIFY_SECRET },
      headers: owner.headers,
    });
    expect(source.status).toBe(201);
    sourceId = source.body.sourceId;

    // Another shop whose customer has the same store customer id and email: erasing Bob in the
    // first shop must leave this one's order as it is.
    bystander = await signUp(stack.urls.gateway, 'Bystander shop');
    const other = await api.request<{ sourceId: string }>('POST', '/api/v1/ingestion/webhook-sources', {
      body: { provider: 'shopify', name: 'Shop', secret: SHOPIFY_SECRET },
      headers: bystander.headers,
    });
    expect(other.status).toBe(201);
    const body = JSON.stringify(SHOPIFY_ORDER_UPDATED);
    expect((await deliverOrder(body, 'privacy-bystander-1', other.body.sourceId)).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let bobProfiles: string[] = [];
  let bobConversion: { revenue_minor: string; credits: { models: unknown } };
  let aliceConversion: { profile_id: string; revenue_minor: string; credits: { models: unknown } };

  it('ingests two subjects: events, an identity merge, a dead letter and an order each', async () => {
    const received = await batch([
      page(bob.anon, '2026-02-20T10:00:00Z'),
      page(bob.phone, '2026-02-22T10:00:00Z'),
      {
        type: 'identify',
        messageId: randomUUID(),
        anonymousId: bob.anon,
        userId: bob.user,
        timestamp: '2026-02-23T10:00:00Z',
        traits: { email: BOB_EMAIL },
      },
      {
        type: 'alias',
        messageId: randomUUID(),
        userId: bob.user,
        previousId: bob.phone,
        timestamp: '2026-02-24T10:00:00Z',
      },
      { type: 'track', messageId: randomUUID(), anonymousId: bob.anon, timestamp: '2026-02-24T11:00:00Z' },
      page(alice.anon, '2026-02-20T10:00:00Z'),
      {
        type: 'identify',
        messageId: randomUUID(),
        anonymousId: alice.anon,
        userId: alice.user,
        timestamp: '2026-02-23T10:00:00Z',
        traits: { email: ALICE_EMAIL },
      },
      { type: 'track', messageId: randomUUID(), anonymousId: alice.anon, timestamp: '2026-02-24T11:00:00Z' },
    ]);
    expect(received.status).toBe(200);
    // The two tracks without an event name are dead-lettered (one per subject).
    expect(received.body).toMatchObject({ accepted: 6, rejected: 2, duplicates: 0, suppressed: 0 });

    expect((await deliverOrder(JSON.stringify(SHOPIFY_ORDER_UPDATED), 'privacy-bob-1')).status).toBe(200);
    expect((await deliverOrder(aliceOrder, 'privacy-alice-1')).status).toBe(200);

    // Attribution built both journeys: each order converts with the subject's touches.
    const conversions = await eventually(async () => {
      const rows = await admin<{
        order_id: string;
        profile_id: string;
        touchpoints: number;
        revenue_minor: string;
        credits: { models: unknown };
      }>(`SELECT * FROM attribution.conversions WHERE tenant_id = $1 ORDER BY order_id`, [owner.tenantId]);
      return rows.length === 2 && rows.every((r) => r.touchpoints > 0) && rows;
    }, 60_000);
    [bobConversion, aliceConversion] = conversions;
    const merges = await admin(`SELECT * FROM attribution.merged_profiles WHERE tenant_id = $1`, [
      owner.tenantId,
    ]);
    expect(merges.length).toBeGreaterThan(0);
  });

  it('exports what ingestion holds about a subject', async () => {
    const exported = await fileRequest({ type: 'export', subject: { userId: bob.user } });
    expect(exported.status).toBe(200);
    const data = exported.body.export!;
    expect(data.identifiers.map((i) => i.value)).toEqual(
      expect.arrayContaining([bob.anon, bob.phone, bob.user, bobHash()]),
    );
    expect(data.events).toHaveLength(4); // two pages, the identify, the alias
    expect(data.orders.map((o) => o.orderId)).toEqual(['shopify:450789469']);
  });

  it('erases the subject in every service, leaving the other subject and the aggregates', async () => {
    const filed = await fileRequest({ type: 'deletion', subject: { email: BOB_EMAIL } });
    expect(filed.status).toBe(202);
    expect(filed.body.status).toBe('pending');
    expect(filed.body.profileIds.length).toBeGreaterThanOrEqual(1);
    bobProfiles = filed.body.profileIds;

    const done = await eventually(async () => {
      const got = await api.request<SubjectRequest>('GET', '/api/v1/ingestion/privacy/requests/{requestId}', {
        params: { requestId: filed.body.requestId },
        headers: owner.headers,
      });
      const confirmed = got.body.services.filter((s) => s.status === 'completed').map((s) => s.service);
      return CONFIRMING.every((s) => confirmed.includes(s)) && got.body;
    }, 90_000);
    expect(done.services.find((s) => s.service === 'ingestion')!.erased).toMatchObject({
      profiles: expect.any(Number),
      tracked_messages: 4,
      dead_letters: 1,
      orders: 1,
    });
    expect(done.services.find((s) => s.service === 'attribution')!.erased).toMatchObject({ conversions: 1 });
    expect(done.services.find((s) => s.service === 'reporting')!.erased).toMatchObject({ fct_orders: 1 });
    // The request completes when every service's part has.
    expect(done.status).toBe('completed');

    const rows = await everyRow();
    // The request keeps the erased profile ids (pseudonyms nothing links to any more) for its audit.
    const requestTables = ['ingestion.privacy_requests'];
    for (const needle of [bob.anon, bob.phone, bob.user, bobHash(), '207119551', BOB_EMAIL, ...bobProfiles])
      expect({ needle, tables: tablesHolding(rows, needle, requestTables) }).toEqual({ needle, tables: [] });
    // The other shop's customer of the same store id keeps its order: erasure stays in its tenant.
    await eventually(async () => {
      const holding = tablesHolding(await everyRow(bystander.tenantId), '207119551');
      return ['ingestion.orders', 'reporting.stg_orders', 'reporting.fct_orders'].every((t) =>
        holding.includes(t),
      );
    }, 60_000);
    for (const needle of [alice.anon, alice.user, aliceHash(), aliceConversion.profile_id])
      expect(tablesHolding(rows, needle).length).toBeGreaterThan(0);
    expect(tablesHolding(rows, alice.anon)).toEqual(
      expect.arrayContaining(['ingestion.profile_identifiers', 'ingestion.dead_letters']),
    );
    expect(tablesHolding(rows, aliceConversion.profile_id)).toEqual(
      expect.arrayContaining(['ingestion.tracked_messages', 'attribution.touchpoints', 'ingestion.orders']),
    );

    // Orders and conversions stay with their amounts and credits per channel; only the link goes.
    const [order] = await admin<{ profile_id: string | null; total: string }>(
      `SELECT profile_id, state->'fields'->'totalMinor'->>'value' AS total FROM ingestion.orders
        WHERE tenant_id = $1 AND order_id = 'shopify:450789469'`,
      [owner.tenantId],
    );
    expect(order).toEqual({ profile_id: null, total: '40200' }); // the fixture's total_price, 402.00
    const [conversion] = await admin<{
      profile_id: string | null;
      revenue_minor: string;
      credits: { models: unknown };
    }>(
      `SELECT profile_id, revenue_minor, credits FROM attribution.conversions
        WHERE tenant_id = $1 AND order_id = 'shopify:450789469'`,
      [owner.tenantId],
    );
    expect(conversion.profile_id).toBeNull();
    expect(conversion.revenue_minor).toBe(bobConversion.revenue_minor);
    expect(conversion.credits.models).toEqual(bobConversion.credits.models);
  });

  it('keeps events without the required consent out of attribution and analytics', async () => {
    const settings = (consentRequired: unknown) =>
      api.request<{ consentRequired: unknown }>('PUT', '/api/v1/ingestion/settings/tracking', {
        body: { channelRules: null, ownHosts: [], maxEventAgeDays: null, consentRequired },
        headers: bystander.headers,
      });
    const bad = await settings({ attribution: 'advertising', analytics: [] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const required = { attribution: ['advertising'], analytics: ['Analytics'] };
    const set = await settings(required);
    expect(set.status).toBe(200);
    expect(set.body.consentRequired).toEqual(required);

    // One visitor (one Kafka key, so the consumers apply the three in order), three campaigns.
    const visitor = `anon-consent-${run}`;
    const visit = (campaign: string, at: string, preferences?: Record<string, boolean>) => ({
      ...page(visitor, at),
      properties: { url: `https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=${campaign}` },
      ...(preferences ? { context: { consent: { categoryPreferences: preferences } } } : {}),
    });
    const received = await api.request<BatchReceipt>('POST', '/api/v1/ingestion/v1/batch', {
      body: {
        batch: [
          visit(`none-${run}`, '2026-03-05T10:00:00Z'),
          visit(`ads-only-${run}`, '2026-03-05T11:00:00Z', { Advertising: true, Analytics: false }),
          visit(`both-${run}`, '2026-03-05T12:00:00Z', { advertising: true, analytics: true }),
        ],
      },
      headers: bystander.headers,
    });
    expect(received.body).toMatchObject({ accepted: 3 });

    const campaigns = async (sql: string) =>
      (await admin<{ campaign: string }>(sql, [bystander.tenantId])).map((r) => r.campaign).sort();
    const touched = () => campaigns(`SELECT campaign FROM attribution.touchpoints WHERE tenant_id = $1`);
    const traffic = () => campaigns(`SELECT campaign FROM reporting.stg_traffic WHERE tenant_id = $1`);
    await eventually(async () => (await touched()).includes(`both-${run}`), 60_000);
    await eventually(async () => (await traffic()).includes(`both-${run}`), 60_000);
    expect(await touched()).toEqual([`ads-only-${run}`, `both-${run}`].sort());
    expect(await traffic()).toEqual([`both-${run}`]);
    const [daily] = await admin<{ sessions: string }>(
      `SELECT sum(sessions)::text AS sessions FROM reporting.fct_daily_channel WHERE tenant_id = $1`,
      [bystander.tenantId],
    );
    expect(daily.sessions).toBe('1');
  });

  it('sets retention windows through the gateway and every service holding a class learns them', async () => {
    const put = (body: Record<string, unknown>) =>
      api.request<{ windows: Record<string, number> }>('PUT', '/api/v1/ingestion/privacy/retention', {
        body,
        headers: bystander.headers,
      });
    const windows = { rawEventsDays: 60, deadLettersDays: 14, journeysDays: 400, auditLogDays: 500 };
    const tooShort = await put({ ...windows, auditLogDays: 100 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.headers.get('content-type')).toContain('application/problem+json');
    const set = await put(windows);
    expect(set.status).toBe(200);
    expect(set.body.windows).toEqual(windows);
    await eventually(async () => {
      const [journeys] = await admin<{ days: number }>(
        `SELECT journeys_days AS days FROM attribution.retention_windows WHERE tenant_id = $1`,
        [bystander.tenantId],
      );
      const [audit] = await admin<{ days: number }>(
        `SELECT audit_log_days AS days FROM auth.retention_windows WHERE tenant_id = $1`,
        [bystander.tenantId],
      );
      return journeys?.days === 400 && audit?.days === 500;
    }, 60_000);
  });

  it("drops the erased subject's new events until the suppression is lifted", async () => {
    const later = '2026-03-02T10:00:00Z';
    const again = page(bob.anon, later);
    const byEmail = {
      type: 'identify',
      messageId: randomUUID(),
      anonymousId: `anon-new-device-${run}`,
      timestamp: later,
      traits: { email: ` ${BOB_EMAIL.toUpperCase()} ` },
    };
    const aliceAgain = page(alice.anon, later);
    const received = await batch([again, byEmail, aliceAgain]);
    expect(received.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0, suppressed: 2 });
    expect(received.body.results).toEqual([
      expect.objectContaining({ index: 0, status: 'suppressed' }),
      expect.objectContaining({ index: 1, status: 'suppressed' }),
    ]);
    const rows = await everyRow();
    expect(tablesHolding(rows, `anon-new-device-${run}`)).toEqual([]);
    expect(tablesHolding(rows, again.messageId)).toEqual([]);
    const metrics = await (await fetch(`${stack.urls.ingestion}/metrics`)).text();
    expect(metrics).toMatch(/^ingestion_events_suppressed_total{service="ingestion"} 2$/m);

    // The store sends Bob's order again (an update after the erasure): the order is recorded, its
    // amounts published, but without the customer, so nothing links Bob again.
    const updated = JSON.stringify({ ...SHOPIFY_ORDER_UPDATED, updated_at: '2026-03-02T10:00:00-05:00' });
    const redelivered = await deliverOrder(updated, 'privacy-bob-2');
    expect(redelivered.body.outcome).toBe('recorded');
    const [order] = await admin<{ profile_id: string | null; state: unknown }>(
      `SELECT profile_id, state FROM ingestion.orders WHERE tenant_id = $1 AND order_id = 'shopify:450789469'`,
      [owner.tenantId],
    );
    expect(order.profile_id).toBeNull();
    expect(JSON.stringify(order.state)).not.toContain('207119551');
    // Reporting received the new revision (its order fact names no customer).
    await eventually(async () => {
      const [fact] = await admin<{ revision: number }>(
        `SELECT revision FROM reporting.stg_orders WHERE tenant_id = $1 AND order_id = 'shopify:450789469'`,
        [owner.tenantId],
      );
      return fact?.revision === 2;
    }, 60_000);
    const afterOrder = await everyRow();
    for (const needle of ['207119551', bobHash(), ...bobProfiles])
      expect({ needle, tables: tablesHolding(afterOrder, needle, ['ingestion.privacy_requests']) }).toEqual({
        needle,
        tables: [],
      });
    expect(await (await fetch(`${stack.urls.ingestion}/metrics`)).text()).toMatch(
      /^ingestion_order_customers_suppressed_total{[^}]*provider="shopify"[^}]*} 1$/m,
    );

    const listed = await api.request<{ suppressions: Suppression[] }>(
      'GET',
      '/api/v1/ingestion/privacy/suppressions',
      { headers: owner.headers },
    );
    expect(listed.body.suppressions.length).toBeGreaterThanOrEqual(4);
    for (const s of listed.body.suppressions) {
      const lifted = await api.request('DELETE', '/api/v1/ingestion/privacy/suppressions/{suppressionId}', {
        params: { suppressionId: s.suppressionId },
        headers: owner.headers,
      });
      expect(lifted.status).toBe(204);
    }
    const resent = await batch([again, byEmail]);
    expect(resent.body).toMatchObject({ accepted: 2, suppressed: 0 });
  });
});
