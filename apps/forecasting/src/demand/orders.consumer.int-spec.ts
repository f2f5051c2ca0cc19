import type { EventPayloads } from '@sextant/contracts';
import { createServiceDataSource, withTenant } from '@sextant/platform/database';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OrdersConsumer } from './orders.consumer';

type Order = EventPayloads['commerce.order.recorded.v1'];

function order(
  tenantId: string,
  revision: number,
  lines: [string, number][],
  refunds: [string, number][] = [],
  status: Order['status'] = 'paid',
): Order {
  return {
    tenantId,
    orderId: 'shopify:1001',
    revision,
    provider: 'shopify',
    sourceId: 'shop-1',
    reference: '#1001',
    status,
    statusHistory: [{ status, at: '2026-03-02T10:00:00Z' }],
    currency: 'EUR',
    customer: { id: null, emailHash: null },
    profileId: null,
    lineItems: lines.map(([sku, quantity]) => ({
      sku,
      productId: null,
      name: null,
      quantity,
      unitPriceMinor: 1000,
    })),
    subtotalMinor: 0,
    discountMinor: 0,
    taxMinor: 0,
    shippingMinor: 0,
    totalMinor: 0,
    refunds: refunds.length
      ? [
          {
            refundId: `r-${revision}`,
            amountMinor: 0,
            createdAt: '2026-03-05T10:00:00Z',
            lineItems: refunds.map(([sku, quantity]) => ({ sku, quantity })),
          },
        ]
      : [],
    refundedMinor: 0,
    netRevenueMinor: 0,
    placedAt: '2026-03-02T23:30:00Z',
    updatedAt: '2026-03-05T10:00:00Z',
  };
}

// The order handler against the real forecasting schema (RLS on): revisions, refunds, redelivery.
describe('orders into daily demand (real PostgreSQL)', () => {
  const env = testEnvironment();
  let db: DataSource;
  const handle = new OrdersConsumer().eventHandlers()['commerce.order.recorded.v1']!;
  const apply = (tenantId: string, payload: Order) =>
    withTenant(db, tenantId, (manager) =>
      handle(payload, {
        manager,
        tenantId,
        eventId: randomUUID(),
        topic: 'commerce.order.recorded.v1',
        headers: {},
      }),
    );
  const demand = (tenantId: string) =>
    withTenant(db, tenantId, async (m) =>
      Object.fromEntries(
        (
          await m.query(
            `select sku, day::text as day, ordered from ts_demand_daily where ordered <> 0 order by sku, day`,
          )
        ).map((r: { sku: string; day: string; ordered: number }) => [`${r.sku}@${r.day}`, r.ordered]),
      ),
    );

  beforeAll(async () => {
    db = await createServiceDataSource({
      schema: 'forecasting',
      url: serviceUrls(env, 'forecasting').appUrl,
      entities: [],
    }).initialize();
  });
  afterAll(() => db.destroy());

  it('counts an order on its placed day and replaces it with each higher revision', async () => {
    const tenant = randomUUID();
    await apply(
      tenant,
      order(tenant, 1, [
        ['A', 2],
        ['B', 1],
      ]),
    );
    expect(await demand(tenant)).toEqual({ 'A@2026-03-02': 2, 'B@2026-03-02': 1 });
    await apply(tenant, order(tenant, 2, [['A', 3]]));
    expect(await demand(tenant)).toEqual({ 'A@2026-03-02': 3 });
  });

  it('ignores redelivered and older revisions, whatever order they arrive in', async () => {
    const tenant = randomUUID();
    await apply(tenant, order(tenant, 3, [['A', 5]]));
    await apply(
      tenant,
      order(tenant, 1, [
        ['A', 1],
        ['C', 9],
      ]),
    );
    await apply(tenant, order(tenant, 3, [['A', 5]]));
    await apply(tenant, order(tenant, 2, [['A', 2]]));
    expect(await demand(tenant)).toEqual({ 'A@2026-03-02': 5 });
  });

  it('subtracts refunded line items, and a cancelled order adds nothing', async () => {
    const tenant = randomUUID();
    await apply(
      tenant,
      order(tenant, 1, [
        ['A', 4],
        ['B', 2],
      ]),
    );
    await apply(
      tenant,
      order(
        tenant,
        2,
        [
          ['A', 4],
          ['B', 2],
        ],
        [
          ['A', 1],
          ['B', 2],
        ],
        'partially_refunded',
      ),
    );
    expect(await demand(tenant)).toEqual({ 'A@2026-03-02': 3 });
    await apply(
      tenant,
      order(
        tenant,
        3,
        [
          ['A', 4],
          ['B', 2],
        ],
        [],
        'cancelled',
      ),
    );
    expect(await demand(tenant)).toEqual({});
  });

  it('keeps tenants apart and adds orders of the same SKU and day together', async () => {
    const [one, two] = [randomUUID(), randomUUID()];
    await apply(one, order(one, 1, [['A', 1]]));
    await apply(one, { ...order(one, 1, [['A', 2]]), orderId: 'shopify:1002' });
    await apply(two, order(two, 1, [['A', 7]]));
    expect(await demand(one)).toEqual({ 'A@2026-03-02': 3 });
    expect(await demand(two)).toEqual({ 'A@2026-03-02': 7 });
  });
});
