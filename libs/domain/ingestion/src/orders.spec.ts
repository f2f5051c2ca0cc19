import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  PAYPAL_CAPTURE_COMPLETED,
  PAYPAL_CAPTURE_REFUNDED,
  SHOPIFY_ORDER_UPDATED,
  SHOPIFY_REFUND_CREATED,
  STRIPE_CHARGE_REFUNDED,
  STRIPE_CHECKOUT_COMPLETED,
  STRIPE_PAYMENT_SUCCEEDED,
  WOOCOMMERCE_ORDER_UPDATED,
} from './__fixtures__/order-webhooks';
import { toMinorUnits } from './money';
import {
  applyOrderEvent,
  hashCustomerEmail,
  orderView,
  type OrderEvent,
  type OrderState,
  type OrderStatus,
} from './order-model';
import { normaliseOrderWebhook, type OrderWebhook } from './order-normalisers';

const salt = 'tenant-1-salt';
/** The documented rule, computed here: HMAC-SHA256(salt, trim(lowercase(email))), hex. */
const emailHash = (email: string) =>
  createHmac('sha256', salt).update(email.trim().toLowerCase()).digest('hex');

function events(webhook: Omit<OrderWebhook, 'emailSalt'>): OrderEvent[] {
  const result = normaliseOrderWebhook({ ...webhook, emailSalt: salt });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.events;
}

function fold(list: OrderEvent[]): OrderState {
  return list.reduce<OrderState | undefined>(applyOrderEvent, undefined) as OrderState;
}

describe('toMinorUnits', () => {
  it.each([
    ['19.99', 'USD', 1999],
    ['1000', 'JPY', 1000],
    ['1.234', 'KWD', 1234],
    ['-50.00', 'usd', -5000],
    ['10.000', 'USD', 1000],
    ['0.5', 'EUR', 50],
    ['-0.00', 'EUR', 0],
  ])('%s %s -> %d', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toEqual({ ok: true, minor });
  });

  it('refuses sub-minor amounts and non-numbers with the reason', () => {
    expect(toMinorUnits('19.999', 'USD')).toEqual({
      ok: false,
      reason: '"19.999" has more than 2 decimals for USD',
    });
    expect(toMinorUnits('1.5', 'JPY')).toMatchObject({ ok: false });
    expect(toMinorUnits('1e3', 'USD')).toMatchObject({ ok: false });
    expect(toMinorUnits(0.1 + 0.2, 'USD')).toMatchObject({ ok: false });
  });
});

describe('hashCustomerEmail', () => {
  it('is the salted HMAC-SHA256 of the trimmed, lower-cased address', () => {
    expect(hashCustomerEmail('  Bob@Example.COM ', salt)).toBe(emailHash('bob@example.com'));
    expect(hashCustomerEmail('bob@example.com', 'other-tenant')).not.toBe(emailHash('bob@example.com'));
  });
});

describe('normaliseOrderWebhook', () => {
  it('Shopify orders/updated: totals in cents, line items, hashed email, reference', () => {
    const [event] = events({ provider: 'shopify', topic: 'orders/updated', body: SHOPIFY_ORDER_UPDATED });
    expect(event).toEqual({
      provider: 'shopify',
      orderId: '450789469',
      at: Date.parse('2026-03-01T15:05:00Z'),
      fields: {
        currency: 'USD',
        status: 'paid',
        customer: { id: '207119551', emailHash: emailHash('bob.norman@mail.example.com') },
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
        placedAt: Date.parse('2026-03-01T15:00:00Z'),
        reference: '#1001',
      },
      refunds: [],
    });
  });

  it('Shopify refunds/create: only successful refund transactions count', () => {
    const [event] = events({ provider: 'shopify', topic: 'refunds/create', body: SHOPIFY_REFUND_CREATED });
    expect(event.orderId).toBe('450789469');
    expect(event.refunds).toEqual([
      {
        refundId: '509562969',
        amountMinor: 5000,
        currency: 'USD',
        createdAt: Date.parse('2026-03-03T14:00:00Z'),
        lineItems: [{ sku: 'IPOD2008PINK', quantity: 0 }],
      },
    ]);
  });

  it('WooCommerce order.updated: GMT dates without a zone read as UTC, refunds from the order', () => {
    const [event] = events({
      provider: 'woocommerce',
      topic: 'order.updated',
      body: WOOCOMMERCE_ORDER_UPDATED,
    });
    expect(event.at).toBe(Date.UTC(2026, 2, 1, 15, 5));
    expect(event.fields).toMatchObject({
      status: 'paid',
      subtotalMinor: 39800,
      discountMinor: 2000,
      totalMinor: 40200,
      customer: { id: '26', emailHash: emailHash('john.doe@example.com') },
      lineItems: [{ sku: 'IPOD2008PINK', quantity: 2, unitPriceMinor: 19900 }],
    });
    expect(event.refunds).toEqual([
      { refundId: '726', amountMinor: 5000, currency: 'USD', createdAt: Date.UTC(2026, 2, 1, 15, 5) },
    ]);
  });

  it('Stripe: session, payment intent and charge refund meet on the PaymentIntent id', () => {
    const all = [STRIPE_CHECKOUT_COMPLETED, STRIPE_PAYMENT_SUCCEEDED, STRIPE_CHARGE_REFUNDED].flatMap(
      (body) => events({ provider: 'stripe', body }),
    );
    expect(all.map((e) => e.orderId)).toEqual(['pi_3Pabc', 'pi_3Pabc', 'pi_3Pabc']);
    const view = orderView(fold(all));
    expect(view).toMatchObject({
      currency: 'USD',
      status: 'partially_refunded',
      totalMinor: 40200,
      taxMinor: 1400,
      refundedMinor: 5000,
      netMinor: 35200,
      reference: 'order-1001',
    });
  });

  it('PayPal: a capture and its refund meet on the capture id', () => {
    const all = [PAYPAL_CAPTURE_REFUNDED, PAYPAL_CAPTURE_COMPLETED].flatMap((body) =>
      events({ provider: 'paypal', body }),
    );
    expect(orderView(fold(all))).toMatchObject({
      orderId: '42311647XV020574X',
      status: 'paid',
      totalMinor: 40200,
      refundedMinor: 5000,
      netMinor: 35200,
      reference: 'INV-1001',
    });
  });

  it('ignores topics that carry no order, and names every bad field', () => {
    expect(
      normaliseOrderWebhook({ provider: 'shopify', topic: 'products/create', body: {}, emailSalt: salt }),
    ).toMatchObject({
      ok: true,
      events: [],
    });
    const broken = { ...SHOPIFY_ORDER_UPDATED, currency: 'dollars', updated_at: 'yesterday' };
    const result = normaliseOrderWebhook({
      provider: 'shopify',
      topic: 'orders/updated',
      body: broken,
      emailSalt: salt,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.path)).toEqual(['/currency', '/updated_at']);
      expect(result.problems[0].reason).toMatch(/ISO 4217/);
    }
    const noUp = { ...PAYPAL_CAPTURE_REFUNDED, resource: { ...PAYPAL_CAPTURE_REFUNDED.resource, links: [] } };
    expect(normaliseOrderWebhook({ provider: 'paypal', body: noUp, emailSalt: salt })).toEqual({
      ok: false,
      problems: [{ path: '/resource/links', reason: 'has no "up" link to the refunded capture' }],
    });
  });
});

describe('applyOrderEvent', () => {
  it('a later update wins whatever the arrival order; refunds accumulate by id', () => {
    const [created] = events({
      provider: 'shopify',
      topic: 'orders/create',
      body: {
        ...SHOPIFY_ORDER_UPDATED,
        updated_at: '2026-03-01T10:00:00-05:00',
        financial_status: 'pending',
      },
    });
    const [paid] = events({ provider: 'shopify', topic: 'orders/paid', body: SHOPIFY_ORDER_UPDATED });
    const [refund] = events({ provider: 'shopify', topic: 'refunds/create', body: SHOPIFY_REFUND_CREATED });
    const secondRefund = {
      ...refund,
      refunds: [{ ...refund.refunds[0], refundId: '509562970', amountMinor: 1000 }],
    };
    const view = orderView(fold([refund, paid, secondRefund, created]));
    expect(view.status).toBe('paid');
    expect(view.refundedMinor).toBe(6000);
    expect(view.statusHistory).toEqual([
      { status: 'pending', at: Date.parse('2026-03-01T15:00:00Z') },
      { status: 'paid', at: Date.parse('2026-03-01T15:05:00Z') },
    ]);
  });

  it('refuses an event for another order', () => {
    const [a] = events({ provider: 'shopify', topic: 'orders/paid', body: SHOPIFY_ORDER_UPDATED });
    expect(() => applyOrderEvent(fold([a]), { ...a, orderId: 'other' })).toThrow(/orderId/);
  });

  const STATUSES: OrderStatus[] = ['pending', 'paid', 'completed', 'refunded', 'cancelled'];
  const eventArb: fc.Arbitrary<OrderEvent> = fc.record({
    provider: fc.constant('shopify' as const),
    orderId: fc.constant('1'),
    at: fc.integer({ min: 0, max: 5 }),
    fields: fc.record(
      {
        status: fc.constantFrom(...STATUSES),
        totalMinor: fc.integer({ min: 0, max: 1000 }),
        customer: fc.record({ id: fc.constantFrom('a', 'b') }),
        lineItems: fc.array(
          fc.record({ sku: fc.constantFrom('x', 'y'), quantity: fc.nat(3), unitPriceMinor: fc.nat(500) }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    ),
    refunds: fc.array(
      fc.record({
        refundId: fc.constantFrom('r1', 'r2', 'r3'),
        amountMinor: fc.nat(300),
        currency: fc.constant('USD'),
        createdAt: fc.nat(5),
      }),
      { maxLength: 2 },
    ),
  });

  it('property: any permutation of the same events gives the same order (commutative)', () => {
    fc.assert(
      fc.property(
        fc
          .array(eventArb, { minLength: 1, maxLength: 7 })
          .chain((list) =>
            fc.tuple(
              fc.constant(list),
              fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
            ),
          ),
        ([list, shuffled]) => {
          expect(fold(shuffled)).toEqual(fold(list));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: applying an event twice changes nothing (idempotent)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 6 }), eventArb, (list, event) => {
        const once = applyOrderEvent(list.reduce<OrderState | undefined>(applyOrderEvent, undefined), event);
        expect(applyOrderEvent(once, event)).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});
