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
import { createServer, type Server } from 'node:http';
import type { Consumer } from 'kafkajs';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { loadIngestionConfig } from '../config';
import { ingestionService } from '../service';
import {
  PAYPAL_SANDBOX_2015,
  SHOPIFY_ORDER_UPDATED,
  SHOPIFY_REFUND_CREATED,
  STRIPE_CHARGE_REFUNDED,
  STRIPE_CHECKOUT_COMPLETED,
  STRIPE_PAYMENT_SUCCEEDED,
  WOOCOMMERCE_ORDER_UPDATED,
} from '@sextant/domain/ingestion/fixtures';

interface Problem {
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}
interface Receipt {
  outcome: string;
  eventId?: string;
  orders?: { orderId: string; revision: number }[];
}
interface Source {
  sourceId: string;
  webhookPath: string;
  health: {
    lastSeenAt: string | null;
    deliveries: number;
    duplicates: number;
    signatureFailures: number;
    rejected: number;
  };
}
interface Tenant {
  tenantId: string;
  headers: { authorization: string };
}
type Message = { topic: string; key: string; value: Record<string, unknown> };

const SHOPIFY_SECRET = 'shpss_e2e_test_secret';
const WOO_SECRET = 'woo e2e secret';
const STRIPE_SECRET = 'whsec_e2e_test_secret';
const hmac = (secret: string, data: string, encoding: 'base64' | 'hex') =>
  createHmac('sha256', secret).update(data, 'utf8').digest(encoding);
/** One byte of the body changed, the signature left as it was. */
const tamper = (body: string) => body.replace('402.00', '402.01').replace('40200', '40201');

describe('commerce webhooks and ad spend (the ingestion service in-process over HTTP, real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let app: NestFastifyApplication;
  let jwks: Server;
  let base: string;
  let api: ContractClient;
  let owner: Tenant;
  let stranger: Tenant;
  let consumer: Consumer;
  const messages: Message[] = [];
  const published = (topic: string, where: (value: Record<string, unknown>) => boolean = () => true) =>
    messages.filter((m) => m.topic === `${env.topicPrefix}${topic}` && where(m.value));
  const ordersOf = (orderId: string) =>
    published('commerce.order.recorded.v1', (v) => v.orderId === orderId && v.tenantId === owner.tenantId);

  /** As the schema owner, inside the tenant (tables are under FORCE row-level security). */
  const asOwner = async (tenantId: string | null, sql: string, values: unknown[]) => {
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

  const createSource = async (who: Tenant, body: Record<string, string>) => {
    const created = await api.request<Source>('POST', '/api/v1/ingestion/webhook-sources', {
      body,
      headers: who.headers,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(body.secret ?? body.webhookId);
    return created.body;
  };
  const deliver = (source: Source, body: string, headers: Record<string, string>) =>
    api.request<Receipt | Problem>('POST', '/api/v1/ingestion/webhooks/{provider}/{sourceId}', {
      params: {
        provider: source.webhookPath.split('/')[5],
        sourceId: source.sourceId,
      },
      rawBody: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const health = async (source: Source) =>
    (
      await api.request<Source>('GET', '/api/v1/ingestion/webhook-sources/{sourceId}', {
        params: { sourceId: source.sourceId },
        headers: owner.headers,
      })
    ).body.health;

  beforeAll(async () => {
    // Access tokens as the auth service issues them (ES256, at+jwt), from a key published here.
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'commerce-test', alg: 'ES256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    const jwksPort = await freePort();
    await new Promise<void>((resolve) => jwks.listen(jwksPort, '127.0.0.1', resolve));
    const tenant = async (): Promise<Tenant> => {
      const tenantId = randomUUID();
      const token = await new SignJWT({
        tid: tenantId,
        perms: ['events:write', 'reports:read', 'keys:manage'],
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'commerce-test', typ: 'at+jwt' })
        .setSubject(randomUUID())
        .setJti(randomUUID())
        .setIssuer('https://auth.sextant.local')
        .setAudience('sextant-api')
        .setIssuedAt()
        .setExpirationTime('30m')
        .sign(privateKey);
      return { tenantId, headers: { authorization: `Bearer ${token}` } };
    };
    owner = await tenant();
    stranger = await tenant();

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
      // PayPal's archived 2015 sandbox certificate expired in 2017; its signature is still checked.
      INGESTION_PAYPAL_CERT_VALIDITY: 'false',
      OUTBOX_POLL_MS: '50',
    });
    const { definition, features } = ingestionService(config);
    // Loaded lazily, as main.ts does (telemetry must start before the platform is imported).
    const { runService } = await import('@sextant/platform/service');
    app = await runService(definition, features);
    base = `http://127.0.0.1:${port}`;
    api = new ContractClient(base, ingestionOpenApiDocument);
    consumer = testKafka(env.brokers, 'commerce-test').consumer({
      groupId: `${env.topicPrefix}commerce-test-${randomUUID()}`,
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: ['commerce.order.recorded.v1', 'marketing.spend.recorded.v1'].map(
        (t) => `${env.topicPrefix}${t}`,
      ),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        messages.push({ topic, key: String(message.key), value: JSON.parse(String(message.value)) });
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await app?.close();
    jwks?.close();
  });

  describe('Shopify', () => {
    let source: Source;
    const body = JSON.stringify(SHOPIFY_ORDER_UPDATED);
    const signed = (text: string, eventId: string, topic = 'orders/updated') => ({
      'X-Shopify-Hmac-Sha256': hmac(SHOPIFY_SECRET, text, 'base64'),
      'X-Shopify-Topic': topic,
      'X-Shopify-Event-Id': eventId,
    });
    // Bob's email hashed as the domain documents it (HMAC-SHA256, tenant id as the salt), computed here.
    const bobHash = () => hmac(owner.tenantId, 'bob.norman@mail.example.com', 'hex');

    beforeAll(async () => {
      source = await createSource(owner, { provider: 'shopify', name: 'My Shopify', secret: SHOPIFY_SECRET });
    });

    it('records a signed order, linked to the tracked profile of its email, and publishes it whole', async () => {
      const profileId = randomUUID();
      await asOwner(
        owner.tenantId,
        `INSERT INTO ingestion.profile_identifiers (tenant_id, kind, value, profile_id) VALUES ($1, 'emailHash', $2, $3)`,
        [owner.tenantId, bobHash(), profileId],
      );
      const response = await deliver(source, body, signed(body, 'shopify-event-1'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        outcome: 'recorded',
        eventId: 'shopify:shopify-event-1',
        orders: [{ orderId: 'shopify:450789469', revision: 1 }],
      });

      const [message] = await eventually(
        async () => ordersOf('shopify:450789469').length > 0 && ordersOf('shopify:450789469'),
      );
      expect(message.key).toBe(`${owner.tenantId}:shopify:450789469`);
      // Expected values read off the fixture: 2 x 199.00 USD, 20.00 discount, 14.00 tax, 10.00 shipping.
      expect(message.value).toEqual({
        tenantId: owner.tenantId,
        orderId: 'shopify:450789469',
        revision: 1,
        provider: 'shopify',
        sourceId: source.sourceId,
        reference: '#1001',
        status: 'paid',
        statusHistory: [{ status: 'paid', at: '2026-03-01T15:05:00.000Z' }],
        currency: 'USD',
        customer: { id: '207119551', emailHash: bobHash() },
        profileId,
        lineItems: [
          {
            sku: 'IPOD2008PINK',
            productId: '632910392',
            name: 'IPod Nano - 8gb - pink',
            quantity: 2,
            unitPriceMinor: 19900,
          },
        ],
        subtotalMinor: 39800,
        discountMinor: 2000,
        taxMinor: 1400,
        shippingMinor: 1000,
        totalMinor: 40200,
        refunds: [],
        refundedMinor: 0,
        netRevenueMinor: 40200,
        placedAt: '2026-03-01T15:00:00.000Z',
        updatedAt: '2026-03-01T15:05:00.000Z',
      });
    });

    it('refuses a tampered body and a missing signature with 401 problem+json, counted, nothing published', async () => {
      const before = ordersOf('shopify:450789469').length;
      const tampered = await deliver(source, tamper(body), signed(body, 'shopify-event-tampered'));
      expect(tampered.status).toBe(401);
      expect(tampered.headers.get('content-type')).toContain('application/problem+json');
      expect(tampered.body).toMatchObject({
        code: 'invalid_signature',
        errors: [{ field: 'X-Shopify-Hmac-Sha256' }],
      });
      const unsigned = await deliver(source, body, {
        'X-Shopify-Topic': 'orders/updated',
        'X-Shopify-Event-Id': 'x',
      });
      expect(unsigned.status).toBe(401);
      expect((unsigned.body as Problem).errors).toEqual([
        { field: 'X-Shopify-Hmac-Sha256', message: 'the X-Shopify-Hmac-Sha256 header is missing' },
      ]);
      const otherSecret = await deliver(source, body, {
        ...signed(body, 'shopify-event-wrong-secret'),
        'X-Shopify-Hmac-Sha256': hmac('not the secret', body, 'base64'),
      });
      expect(otherSecret.status).toBe(401);

      expect((await health(source)).signatureFailures).toBe(3);
      const [deliveries] = await asOwner(
        owner.tenantId,
        `SELECT count(*)::int AS n FROM ingestion.webhook_deliveries WHERE event_id LIKE 'shopify:shopify-event-%'`,
        [],
      );
      expect(deliveries.n).toBe(1); // only the valid delivery of the first test
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(ordersOf('shopify:450789469')).toHaveLength(before);
    });

    it('answers a redelivered event as a duplicate and publishes nothing', async () => {
      const before = ordersOf('shopify:450789469').length;
      const again = await deliver(source, body, signed(body, 'shopify-event-1'));
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ outcome: 'duplicate', eventId: 'shopify:shopify-event-1' });
      // The same order state under a new event id: stored, nothing new to publish.
      const same = await deliver(source, body, signed(body, 'shopify-event-1-bis'));
      expect(same.body).toEqual({
        outcome: 'unchanged',
        eventId: 'shopify:shopify-event-1-bis',
        orders: [{ orderId: 'shopify:450789469', revision: 1 }],
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(ordersOf('shopify:450789469')).toHaveLength(before);
    });

    it('converges out-of-order and duplicated deliveries to the same order in Kafka', async () => {
      const refund = JSON.stringify(SHOPIFY_REFUND_CREATED);
      const inOrder = await deliver(source, refund, signed(refund, 'shopify-refund-1', 'refunds/create'));
      expect(inOrder.body).toMatchObject({ outcome: 'recorded', orders: [{ revision: 2 }] });

      // The same order under another id, delivered refund first, with duplicates in between.
      const order2 = JSON.stringify({ ...SHOPIFY_ORDER_UPDATED, id: 450789470 });
      const refund2 = JSON.stringify({ ...SHOPIFY_REFUND_CREATED, order_id: 450789470 });
      const outOfOrder = [
        [refund2, signed(refund2, 'o2-refund', 'refunds/create')],
        [refund2, signed(refund2, 'o2-refund', 'refunds/create')],
        [order2, signed(order2, 'o2-order')],
        [refund2, signed(refund2, 'o2-refund', 'refunds/create')],
        [order2, signed(order2, 'o2-order')],
      ] as const;
      const outcomes = [];
      for (const [text, headers] of outOfOrder)
        outcomes.push((await deliver(source, text, headers)).body as Receipt);
      expect(outcomes.map((o) => o.outcome)).toEqual([
        'recorded',
        'duplicate',
        'recorded',
        'duplicate',
        'duplicate',
      ]);
      // A refund alone is not yet an order a consumer can count: stored, published with the order.
      expect(outcomes[0].orders).toEqual([{ orderId: 'shopify:450789470', revision: 0 }]);

      const last = async (orderId: string, revision: number) =>
        (await eventually(async () => ordersOf(orderId).find((m) => m.value.revision === revision))).value;
      const first = await last('shopify:450789469', 2);
      const second = await last('shopify:450789470', 1);
      expect(ordersOf('shopify:450789470')).toHaveLength(1);
      const comparable = (value: Record<string, unknown>) => ({
        ...value,
        orderId: undefined,
        revision: undefined,
      });
      expect(comparable(second)).toEqual(comparable(first));
      expect(first).toMatchObject({
        refunds: [{ refundId: '509562969', amountMinor: 5000, createdAt: '2026-03-03T14:00:00.000Z' }],
        refundedMinor: 5000,
        netRevenueMinor: 35200,
      });
    });

    it('refuses a signed but unreadable delivery with 400 naming the field, counted as rejected', async () => {
      const broken = JSON.stringify({ ...SHOPIFY_ORDER_UPDATED, currency: 'dollars' });
      const response = await deliver(source, broken, signed(broken, 'shopify-broken'));
      expect(response.status).toBe(400);
      expect((response.body as Problem).errors).toContainEqual({
        field: '/currency',
        message: 'must be a three-letter ISO 4217 currency code',
      });
      const notJson = '{"id": 1,';
      const garbled = await deliver(source, notJson, signed(notJson, 'shopify-garbled'));
      expect(garbled.status).toBe(400);
      expect((garbled.body as Problem).errors?.[0].field).toBe('/body');
      expect(await health(source)).toMatchObject({
        rejected: 2,
        signatureFailures: 3,
        deliveries: 9,
        duplicates: 4,
      });
    });

    it("records an erased customer's orders without the customer (matched by email hash or store id), counted", async () => {
      // Suppressions as an erasure leaves them: SHA-256 of tenant, kind and value, NUL-separated.
      const keyed = (kind: string, value: string) =>
        createHash('sha256').update(`${owner.tenantId}\u0000${kind}\u0000${value}`).digest('hex');
      const erasedHash = hmac(owner.tenantId, 'erased.subject@example.com', 'hex');
      // Without the suppression, this profile would be linked through the email hash.
      await asOwner(
        owner.tenantId,
        `INSERT INTO ingestion.profile_identifiers (tenant_id, kind, value, profile_id) VALUES ($1, 'emailHash', $2, $3)`,
        [owner.tenantId, erasedHash, randomUUID()],
      );
      const requestId = randomUUID();
      await asOwner(
        owner.tenantId,
        `INSERT INTO ingestion.privacy_requests (request_id, tenant_id, type, status, profile_ids, requested_by, requested_at)
         VALUES ($1, $2, 'deletion', 'completed', '{}', $3, now())`,
        [requestId, owner.tenantId, randomUUID()],
      );
      for (const [kind, value] of [
        ['emailHash', erasedHash],
        ['customerId', '555000111'],
      ])
        await asOwner(
          owner.tenantId,
          `INSERT INTO ingestion.suppressed_identifiers (suppression_id, tenant_id, kind, value_hash, request_id)
           VALUES ($1, $2, $3, $4, $5)`,
          [randomUUID(), owner.tenantId, kind, keyed(kind, value), requestId],
        );
      const byEmail = JSON.stringify({
        ...SHOPIFY_ORDER_UPDATED,
        id: 450789480,
        email: 'Erased.Subject@example.com',
        customer: { id: 555000222, email: 'erased.subject@example.com' },
      });
      const byStoreId = JSON.stringify({
        ...SHOPIFY_ORDER_UPDATED,
        id: 450789481,
        email: 'someone.else@example.com',
        customer: { id: 555000111, email: 'someone.else@example.com' },
      });
      for (const [text, eventId] of [
        [byEmail, 'suppressed-by-email'],
        [byStoreId, 'suppressed-by-store-id'],
      ]) {
        const response = await deliver(source, text, signed(text, eventId));
        expect(response.body).toMatchObject({ outcome: 'recorded', orders: [{ revision: 1 }] });
      }
      for (const orderId of ['shopify:450789480', 'shopify:450789481']) {
        const [message] = await eventually(async () => ordersOf(orderId).length > 0 && ordersOf(orderId));
        // The revenue stays; the link to the subject (whose profile the email hash finds) does not.
        expect(message.value).toMatchObject({
          customer: { id: null, emailHash: null },
          profileId: null,
          totalMinor: 40200,
        });
        const [stored] = await asOwner(
          owner.tenantId,
          `SELECT profile_id, state FROM ingestion.orders WHERE order_id = $1`,
          [orderId],
        );
        expect(stored.profile_id).toBeNull();
        expect(stored.state.fields.customer).toBeUndefined();
      }
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /^ingestion_order_customers_suppressed_total\{[^}]*provider="shopify"[^}]*\} 2$/m,
      );
    });
  });

  describe('WooCommerce', () => {
    let source: Source;
    const body = JSON.stringify(WOOCOMMERCE_ORDER_UPDATED);
    const signed = (text: string) => ({
      'X-WC-Webhook-Signature': hmac(WOO_SECRET, text, 'base64'),
      'X-WC-Webhook-Topic': 'order.updated',
      'X-WC-Webhook-Resource': 'order',
    });

    beforeAll(async () => {
      source = await createSource(owner, { provider: 'woocommerce', name: 'Woo', secret: WOO_SECRET });
    });

    it('answers the unsigned creation ping, records a signed order, refuses a tampered one, dedups a retry', async () => {
      const ping = await deliver(source, 'webhook_id=12', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(ping.status).toBe(200);
      expect(ping.body).toEqual({ outcome: 'ping' });

      const recorded = await deliver(source, body, signed(body));
      expect(recorded.body).toEqual({
        outcome: 'recorded',
        eventId: 'woocommerce:order:727:2026-03-01T15:05:00',
        orders: [{ orderId: 'woocommerce:727', revision: 1 }],
      });
      const tampered = await deliver(source, tamper(body), signed(body));
      expect(tampered.status).toBe(401);
      expect((tampered.body as Problem).errors?.[0].field).toBe('X-WC-Webhook-Signature');
      const retry = await deliver(source, body, signed(body));
      expect(retry.body).toMatchObject({ outcome: 'duplicate' });

      const message = await eventually(async () => ordersOf('woocommerce:727')[0]);
      expect(message.value).toMatchObject({
        status: 'paid',
        customer: { id: '26', emailHash: hmac(owner.tenantId, 'john.doe@example.com', 'hex') },
        lineItems: [{ sku: 'IPOD2008PINK', quantity: 2, unitPriceMinor: 19900 }],
        subtotalMinor: 39800,
        totalMinor: 40200,
        refunds: [{ refundId: '726', amountMinor: 5000 }],
        netRevenueMinor: 35200,
      });
      expect(await health(source)).toMatchObject({ deliveries: 2, duplicates: 1, signatureFailures: 1 });
    });
  });

  describe('Stripe', () => {
    let source: Source;
    const signed = (text: string, at = Math.floor(Date.now() / 1000)) => ({
      'Stripe-Signature': `t=${at},v1=${hmac(STRIPE_SECRET, `${at}.${text}`, 'hex')}`,
    });

    beforeAll(async () => {
      source = await createSource(owner, { provider: 'stripe', name: 'Stripe', secret: STRIPE_SECRET });
    });

    it('records session, payment and refund on one order; refuses stale and tampered signatures; dedups evt_ ids', async () => {
      const checkout = JSON.stringify(STRIPE_CHECKOUT_COMPLETED);
      const stale = await deliver(source, checkout, signed(checkout, Math.floor(Date.now() / 1000) - 301));
      expect(stale.status).toBe(401);
      expect((stale.body as Problem).detail).toMatch(/tolerance is 300 s/);
      const tampered = await deliver(source, tamper(checkout), signed(checkout));
      expect(tampered.status).toBe(401);

      for (const event of [STRIPE_CHARGE_REFUNDED, STRIPE_CHECKOUT_COMPLETED, STRIPE_PAYMENT_SUCCEEDED]) {
        const text = JSON.stringify(event);
        expect((await deliver(source, text, signed(text))).status).toBe(200);
      }
      const again = JSON.stringify(STRIPE_CHECKOUT_COMPLETED);
      expect((await deliver(source, again, signed(again))).body).toEqual({
        outcome: 'duplicate',
        eventId: 'stripe:evt_1PcheckoutA',
      });

      const final = await eventually(async () =>
        ordersOf('stripe:pi_3Pabc').find(
          (m) => m.value.refundedMinor === 5000 && m.value.reference === 'order-1001',
        ),
      );
      expect(final.value).toMatchObject({
        status: 'partially_refunded',
        currency: 'USD',
        customer: { id: 'cus_Q1w2e3', emailHash: hmac(owner.tenantId, 'bob.norman@mail.example.com', 'hex') },
        subtotalMinor: 39800,
        totalMinor: 40200,
        refunds: [{ refundId: 'charge:ch_3Pabc', amountMinor: 5000 }],
        netRevenueMinor: 35200,
      });
      expect(await health(source)).toMatchObject({ deliveries: 4, duplicates: 1, signatureFailures: 2 });
    });
  });

  describe('PayPal (the real 2015 sandbox delivery)', () => {
    const sample = PAYPAL_SANDBOX_2015;

    beforeAll(async () => {
      // The certificate cache, filled as the service would after fetching it from PayPal's host.
      await asOwner(
        null,
        `INSERT INTO ingestion.paypal_certificates (cert_url, pem, fetched_at) VALUES ($1, $2, now())`,
        [sample.headers['paypal-cert-url'], sample.certificatePem],
      );
    });

    it('verifies the signature over the raw bytes, refuses a changed byte or another webhook id, dedups the WH- id', async () => {
      const source = await createSource(owner, {
        provider: 'paypal',
        name: 'PayPal',
        webhookId: sample.webhookId,
      });
      const valid = await deliver(source, sample.body, sample.headers);
      expect(valid.status).toBe(200);
      // PAYMENT.SALE.COMPLETED (the v1 payments API) carries no order data we ingest.
      expect(valid.body).toEqual({
        outcome: 'ignored',
        eventId: 'paypal:WH-0G2756385H040842W-5Y612302CV158622M',
      });
      expect((await deliver(source, sample.body, sample.headers)).body).toMatchObject({
        outcome: 'duplicate',
      });

      const tampered = await deliver(source, sample.body.replace('20.0', '20.1'), sample.headers);
      expect(tampered.status).toBe(401);
      expect((tampered.body as Problem).errors?.[0].field).toBe('paypal-transmission-sig');
      const sha1 = await deliver(source, sample.body, {
        ...sample.headers,
        'paypal-auth-algo': 'SHA1withRSA',
      });
      expect(sha1.status).toBe(401);
      const elsewhere = await deliver(source, sample.body, {
        ...sample.headers,
        'paypal-cert-url': 'https://certs.example.com/paypal.pem',
      });
      expect((elsewhere.body as Problem).errors?.[0]).toMatchObject({ field: 'paypal-cert-url' });

      const otherSubscription = await createSource(owner, {
        provider: 'paypal',
        name: 'Other',
        webhookId: 'WH1OTHER',
      });
      expect((await deliver(otherSubscription, sample.body, sample.headers)).status).toBe(401);
      expect(await health(source)).toMatchObject({ deliveries: 2, duplicates: 1, signatureFailures: 3 });
    });
  });

  describe('webhook sources', () => {
    it('keeps sources and their health to their tenant, and names what a bad request lacks', async () => {
      const source = await createSource(owner, { provider: 'shopify', name: 'Private', secret: 'secret' });
      const path = '/api/v1/ingestion/webhook-sources/{sourceId}';
      const params = { sourceId: source.sourceId };
      expect((await api.request('GET', path, { params, headers: stranger.headers })).status).toBe(404);
      expect((await api.request('DELETE', path, { params, headers: stranger.headers })).status).toBe(404);
      const theirs = await api.request<{ items: Source[] }>('GET', '/api/v1/ingestion/webhook-sources', {
        headers: stranger.headers,
      });
      expect(theirs.body.items).toEqual([]);
      const mine = await api.request<{ items: Source[] }>('GET', '/api/v1/ingestion/webhook-sources', {
        headers: owner.headers,
      });
      expect(mine.body.items.map((s) => s.sourceId)).toContain(source.sourceId);
      expect((await api.request('GET', path, { params })).status).toBe(401);

      const noSecret = await api.request<Problem>('POST', '/api/v1/ingestion/webhook-sources', {
        body: { provider: 'stripe', name: 'No secret' },
        headers: owner.headers,
      });
      expect(noSecret.status).toBe(400);
      expect(noSecret.body.errors).toEqual([{ field: '/body/secret', message: 'is required for stripe' }]);

      // A delivery under the wrong provider, or to a source that does not exist: 404.
      const wrongProvider = await deliver(
        { ...source, webhookPath: source.webhookPath.replace('shopify', 'stripe') },
        '{}',
        {},
      );
      expect(wrongProvider.status).toBe(404);
      expect((await api.request('DELETE', path, { params, headers: owner.headers })).status).toBe(204);
      expect((await deliver(source, '{}', {})).status).toBe(404);
    });

    it('exposes per-source delivery counts as Prometheus metrics', async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /ingestion_webhook_deliveries_total\{[^}]*provider="woocommerce"[^}]*outcome="ping"[^}]*\} 1/,
      );
      expect(metrics).toMatch(
        /ingestion_webhook_deliveries_total\{[^}]*provider="stripe"[^}]*outcome="signature_failure"[^}]*\} 2/,
      );
      expect(metrics).toContain('ingestion_webhook_last_seen_timestamp_seconds{');
    });
  });

  describe('ad spend', () => {
    const rows = [
      {
        date: '2026-03-01',
        channel: 'Paid Search',
        campaign: 'brand',
        currency: 'USD',
        amount: '120.50',
        clicks: 300,
      },
      { date: '2026-03-01', channel: 'Paid Social', currency: 'eur', amount: 80, impressions: 12000 },
    ];
    const spendOf = (tenantId: string) =>
      published('marketing.spend.recorded.v1', (v) => v.tenantId === tenantId);
    const importJson = (body: unknown, who = owner) =>
      api.request<Problem & { received: number; recorded: number; unchanged: number }>(
        'POST',
        '/api/v1/ingestion/spend',
        {
          body,
          headers: who.headers,
        },
      );
    const importCsv = (text: string) =>
      api.request<Problem & { received: number; recorded: number; unchanged: number }>(
        'POST',
        '/api/v1/ingestion/spend',
        {
          rawBody: text,
          headers: { ...owner.headers, 'content-type': 'text/csv' },
        },
      );

    it('imports JSON and CSV idempotently: unchanged rows publish nothing, a changed row the next revision', async () => {
      expect((await importJson({ rows })).body).toEqual({ received: 2, recorded: 2, unchanged: 0 });
      await eventually(async () => spendOf(owner.tenantId).length === 2);
      expect(spendOf(owner.tenantId).map((m) => m.value)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            channel: 'Paid Search',
            campaign: 'brand',
            amountMinor: 12050,
            clicks: 300,
            impressions: null,
            revision: 1,
          }),
          expect.objectContaining({
            channel: 'Paid Social',
            campaign: '',
            currency: 'EUR',
            amountMinor: 8000,
            impressions: 12000,
            revision: 1,
          }),
        ]),
      );
      expect(spendOf(owner.tenantId)[0].key).toMatch(new RegExp(`^${owner.tenantId}:Paid S`));

      expect((await importJson({ rows })).body).toEqual({ received: 2, recorded: 0, unchanged: 2 });
      // The same two rows as CSV (columns in another order), one of them changed.
      const csv = [
        'channel,date,campaign,currency,amount,impressions,clicks',
        'Paid Search,2026-03-01,brand,USD,120.50,,300',
        'Paid Social,2026-03-01,,EUR,95.00,12000,',
      ].join('\n');
      expect((await importCsv(csv)).body).toEqual({ received: 2, recorded: 1, unchanged: 1 });
      const changed = await eventually(async () =>
        spendOf(owner.tenantId).find((m) => m.value.revision === 2),
      );
      expect(changed.value).toMatchObject({ channel: 'Paid Social', amountMinor: 9500, revision: 2 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(spendOf(owner.tenantId)).toHaveLength(3);

      const listed = await api.request<{ items: Record<string, unknown>[] }>(
        'GET',
        '/api/v1/ingestion/spend',
        {
          query: { from: '2026-03-01', to: '2026-03-31', channel: 'Paid Social' },
          headers: owner.headers,
        },
      );
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          date: '2026-03-01',
          channel: 'Paid Social',
          campaign: '',
          amountMinor: 9500,
          revision: 2,
        }),
      ]);
      const theirs = await api.request<{ items: unknown[] }>('GET', '/api/v1/ingestion/spend', {
        query: { from: '2026-03-01', to: '2026-03-31' },
        headers: stranger.headers,
      });
      expect(theirs.body.items).toEqual([]);
    });

    it('refuses a file with bad rows whole, naming each line and field', async () => {
      const csv = [
        'date,channel,campaign,currency,amount',
        '2026-04-01,Email,spring,USD,10.00',
        '2026-04-31,Email,spring,USD,10.001',
        '2026-04-02,,spring,US,-3',
      ].join('\n');
      const refused = await importCsv(csv);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { field: '/line/3/date', message: 'must be a calendar date YYYY-MM-DD' },
        { field: '/line/3/amount', message: '"10.001" has more than 2 decimals for USD' },
        { field: '/line/4/channel', message: 'must be 1 to 64 characters' },
        { field: '/line/4/currency', message: 'must be a three-letter ISO 4217 code' },
      ]);
      const json = await importJson({
        rows: [{ ...rows[0], date: '2026-04-01', amount: '-1' }, rows[0], rows[0]],
      });
      expect(json.body.errors).toEqual([
        { field: '/rows/0/amount', message: 'must not be negative' },
        { field: '/rows/2/date', message: 'repeats the date, channel and campaign of /rows/1' },
      ]);
      const unknownColumn = await importCsv('date,channel,currency,amount,cost\n2026-04-01,Email,USD,1,2');
      expect(unknownColumn.body.errors?.[0].field).toBe('/line/1/cost');
      const listed = await api.request<{ items: unknown[] }>('GET', '/api/v1/ingestion/spend', {
        query: { from: '2026-04-01', to: '2026-04-30' },
        headers: owner.headers,
      });
      expect(listed.body.items).toEqual([]);

      const wrongType = await api.request<Problem>('POST', '/api/v1/ingestion/spend', {
        rawBody: 'date,channel',
        headers: { ...owner.headers, 'content-type': 'text/plain' },
      });
      expect(wrongType.status).toBe(415);
      const badPeriod = await api.request<Problem>('GET', '/api/v1/ingestion/spend', {
        query: { from: '2026-03-31', to: '2026-03-01' },
        headers: owner.headers,
      });
      expect(badPeriod.status).toBe(400);
      expect(badPeriod.body.errors?.[0].field).toBe('/query/to');
    });
  });
});
