import { gatewayOpenApiDocument } from '@sextant/contracts';
import { SHOPIFY_ORDER_UPDATED } from '@sextant/domain/ingestion/fixtures';
import {
  ContractClient,
  eventually,
  type RunningStack,
  signUp,
  startStack,
  testEnvironment,
  testKafka,
} from '@sextant/testing';
import type { Consumer } from 'kafkajs';
import { createHmac } from 'node:crypto';

// The full behaviour per provider is in apps/ingestion/src/webhooks/commerce.int-spec.ts; this proves
// the path through the gateway: the webhook route is public, the signed bytes arrive unchanged, and
// sources and spend stay with their tenant.
jest.setTimeout(300_000);

describe('commerce webhooks through the gateway (real processes, PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let consumer: Consumer;
  const orders: Record<string, unknown>[] = [];

  beforeAll(async () => {
    // On the loaded shared machine the first start (which also creates the run's topics) can miss
    // the 60 s readiness deadline; a second start finds the topics made.
    stack = await startStack(env, ['auth', 'ingestion', 'gateway']).catch(() =>
      startStack(env, ['auth', 'ingestion', 'gateway']),
    );
    consumer = testKafka(env.brokers, 'commerce-e2e').consumer({ groupId: `${env.topicPrefix}commerce-e2e` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${env.topicPrefix}commerce.order.recorded.v1`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void orders.push(JSON.parse(String(message.value))),
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await stack?.stop();
  });

  it('takes a signed Shopify delivery without a token and keeps the source to its tenant', async () => {
    const api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    const owner = await signUp(stack.urls.gateway, 'Gateway shop');
    const stranger = await signUp(stack.urls.gateway, 'Other shop');
    const secret = 'shpss_gateway_e2e';
    const created = await api.request<{ sourceId: string }>('POST', '/api/v1/ingestion/webhook-sources', {
      body: { provider: 'shopify', name: 'Shop', secret },
      headers: owner.headers,
    });
    expect(created.status).toBe(201);
    // Pretty-printed on purpose: re-serialising the JSON anywhere on the way would break the HMAC.
    const body = JSON.stringify(SHOPIFY_ORDER_UPDATED, null, 2);
    const headers = {
      'content-type': 'application/json',
      'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
      'X-Shopify-Topic': 'orders/updated',
      'X-Shopify-Event-Id': 'gateway-e2e-1',
    };
    const params = { provider: 'shopify', sourceId: created.body.sourceId };
    const path = '/api/v1/ingestion/webhooks/{provider}/{sourceId}';
    const delivered = await api.request('POST', path, { params, rawBody: body, headers });
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ outcome: 'recorded' });
    const tampered = await api.request('POST', path, {
      params,
      rawBody: body.replace('402.00', '402.01'),
      headers,
    });
    expect(tampered.status).toBe(401);

    const order = await eventually(async () => orders.find((o) => o.tenantId === owner.tenantId));
    expect(order).toMatchObject({ orderId: 'shopify:450789469', revision: 1, totalMinor: 40200 });

    const theirs = await api.request('GET', '/api/v1/ingestion/webhook-sources/{sourceId}', {
      params: { sourceId: created.body.sourceId },
      headers: stranger.headers,
    });
    expect(theirs.status).toBe(404);
  });
});
