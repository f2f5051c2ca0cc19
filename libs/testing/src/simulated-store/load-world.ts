/**
 * Sends a simulated world to a running Sextant through its public API only, the way a store's
 * integrations would: sign up, create an ingest key and a Shopify webhook source, then day by day
 * the tracking events (Segment batches with the ingest key as Basic user name), the Shopify order
 * and refund webhooks (signed as Shopify signs them) and the day's ad spend.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { shopifyOrderBody, shopifyRefundBody, type World } from './world';

export interface DemoAccount {
  tenantName: string;
  email: string;
  password: string;
}

export interface LoadedWorld {
  tenantId: string;
  accessToken: string;
  ingestKey: string;
  webhookSourceId: string;
  sent: {
    events: number;
    accepted: number;
    duplicates: number;
    rejected: number;
    orders: number;
    refunds: number;
    spendRows: number;
  };
}

export interface LoadOptions {
  gatewayUrl: string;
  account: DemoAccount;
  /** Called after each simulated day with the share done (0..1). */
  onProgress?: (done: number) => void;
  /** Events per Segment batch (the API takes up to 2,500). */
  batchSize?: number;
}

class ApiError extends Error {}

/**
 * One call through the gateway. 429 and 503 (a dependency briefly unavailable: nothing was done)
 * are waited out as a real client does (Retry-After); other failures throw.
 */
export async function call<T>(
  gatewayUrl: string,
  method: string,
  path: string,
  init: {
    token?: string;
    basic?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<T> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.basic) headers.authorization = `Basic ${Buffer.from(`${init.basic}:`).toString('base64')}`;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${gatewayUrl}${path}`, { method, headers, body });
    if ((response.status === 429 || response.status === 503) && attempt < 20) {
      await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get('retry-after') ?? 1)));
      continue;
    }
    const text = await response.text();
    if (!response.ok) throw new ApiError(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export async function loadWorld(world: World, options: LoadOptions): Promise<LoadedWorld> {
  const { gatewayUrl, account } = options;
  const batchSize = options.batchSize ?? 500;
  await call(gatewayUrl, 'POST', '/api/v1/auth/register', { body: account });
  // Access tokens live 10 minutes; loading a large world takes longer.
  let token = '';
  let loggedInAt = 0;
  const fresh = async () => {
    if (Date.now() - loggedInAt > 5 * 60_000) {
      const session = await call<{ accessToken: string }>(gatewayUrl, 'POST', '/api/v1/auth/login', {
        body: { email: account.email, password: account.password },
      });
      token = session.accessToken;
      loggedInAt = Date.now();
    }
    return token;
  };
  await fresh();
  const me = await call<{ tenantId: string }>(gatewayUrl, 'GET', '/api/v1/auth/me', { token });
  const key = await call<{ key: string }>(gatewayUrl, 'POST', '/api/v1/auth/api-keys', {
    token,
    body: { name: 'Demo store (simulated)', scopes: ['ingest'] },
  });
  const shopifySecret = `shpss_${randomUUID().replaceAll('-', '')}`;
  const source = await call<{ sourceId: string }>(gatewayUrl, 'POST', '/api/v1/ingestion/webhook-sources', {
    token,
    body: { provider: 'shopify', name: 'Demo Shopify store', secret: shopifySecret },
  });
  const sent = { events: 0, accepted: 0, duplicates: 0, rejected: 0, orders: 0, refunds: 0, spendRows: 0 };

  const shopify = async (topic: string, body: Record<string, unknown>) => {
    const raw = JSON.stringify(body);
    await call(gatewayUrl, 'POST', `/api/v1/ingestion/webhooks/shopify/${source.sourceId}`, {
      raw,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': createHmac('sha256', shopifySecret).update(raw).digest('base64'),
        'x-shopify-event-id': randomUUID(),
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-shop-domain': 'demo-store.myshopify.com',
      },
    });
  };

  const dayOf = (date: Date) => Math.floor((date.getTime() - world.start.getTime()) / 86_400_000);
  const ordersByDay = new Map<number, World['orders']>();
  const refundsByDay = new Map<number, World['orders']>();
  for (const order of world.orders) {
    ordersByDay.set(dayOf(order.placedAt), [...(ordersByDay.get(dayOf(order.placedAt)) ?? []), order]);
    if (order.refund)
      refundsByDay.set(dayOf(order.refund.at), [...(refundsByDay.get(dayOf(order.refund.at)) ?? []), order]);
  }
  for (let day = 0; day < world.days; day++) {
    const events = world.events[day];
    for (let i = 0; i < events.length; i += batchSize) {
      const receipt = await call<{ accepted: number; duplicates: number; rejected: number }>(
        gatewayUrl,
        'POST',
        '/api/v1/ingestion/v1/batch',
        { basic: key.key, body: { batch: events.slice(i, i + batchSize) } },
      );
      sent.events += Math.min(batchSize, events.length - i);
      sent.accepted += receipt.accepted;
      sent.duplicates += receipt.duplicates;
      sent.rejected += receipt.rejected;
    }
    for (const order of ordersByDay.get(day) ?? []) {
      await shopify('orders/create', shopifyOrderBody(order, world.currency));
      sent.orders += 1;
    }
    for (const order of refundsByDay.get(day) ?? []) {
      await shopify('refunds/create', shopifyRefundBody(order, world.currency));
      sent.refunds += 1;
    }
    const date = new Date(world.start.getTime() + day * 86_400_000).toISOString().slice(0, 10);
    const rows = world.spend.filter((row) => row.date === date);
    if (rows.length) {
      await call(gatewayUrl, 'POST', '/api/v1/ingestion/spend', {
        token: await fresh(),
        body: { rows: rows.map((row) => ({ ...row, amount: row.amount.toFixed(2) })) },
      });
      sent.spendRows += rows.length;
    }
    options.onProgress?.((day + 1) / world.days);
  }
  return {
    tenantId: me.tenantId,
    accessToken: token,
    ingestKey: key.key,
    webhookSourceId: source.sourceId,
    sent,
  };
}
