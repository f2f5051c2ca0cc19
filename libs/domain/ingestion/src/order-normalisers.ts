/**
 * Provider order, payment and refund webhooks -> canonical `OrderEvent`s. Each provider's payload is
 * read as its documentation shows it:
 * - Shopify `orders/create|updated|paid`, `refunds/create` (topic in `X-Shopify-Topic`):
 *   https://shopify.dev/docs/api/admin-rest/latest/resources/order, .../resources/refund
 * - WooCommerce `order.created|updated` (topic in `X-WC-Webhook-Topic`), REST v3 order JSON:
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties
 * - Stripe `checkout.session.completed`, `payment_intent.succeeded`, `charge.refunded` (the event's `type`):
 *   https://docs.stripe.com/api/events/object
 * - PayPal `PAYMENT.CAPTURE.COMPLETED`, `PAYMENT.CAPTURE.REFUNDED` (the event's `event_type`):
 *   https://developer.paypal.com/api/rest/webhooks/event-names/#payments
 *
 * Order identity per provider: Shopify and WooCommerce the order id; Stripe the PaymentIntent id (a
 * Checkout Session, its PaymentIntent and its charges' refunds meet there; the session id when it has
 * no PaymentIntent); PayPal the capture id (a refund links "up" to its capture).
 */
import { parseIsoDateTime } from './iso-time';
import { isCurrencyCode, toMinorUnits } from './money';
import {
  hashCustomerEmail,
  type CommerceProvider,
  type LineItem,
  type OrderEvent,
  type OrderFields,
  type OrderStatus,
  type Refund,
} from './order-model';
import { describeType, isPlainObject, type Problem } from './problems';

export interface OrderWebhook {
  provider: CommerceProvider;
  /** Shopify/WooCommerce: the topic header; Stripe/PayPal: taken from the body when omitted. */
  topic?: string;
  body: unknown;
  /** The tenant's salt for `hashCustomerEmail`. */
  emailSalt: string;
}

export type OrderNormalisation =
  { ok: true; events: OrderEvent[]; ignored?: string } | { ok: false; problems: Problem[] };

export const ORDER_TOPICS: Readonly<Record<CommerceProvider, readonly string[]>> = {
  shopify: ['orders/create', 'orders/updated', 'orders/paid', 'refunds/create'],
  woocommerce: ['order.created', 'order.updated'],
  stripe: ['checkout.session.completed', 'payment_intent.succeeded', 'charge.refunded'],
  paypal: ['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED'],
};

export function normaliseOrderWebhook(webhook: OrderWebhook): OrderNormalisation {
  const body = webhook.body;
  if (!isPlainObject(body)) {
    return {
      ok: false,
      problems: [{ path: '', reason: `body must be a JSON object, got ${describeType(body)}` }],
    };
  }
  const topic =
    webhook.topic ??
    (webhook.provider === 'stripe' ? body.type : webhook.provider === 'paypal' ? body.event_type : undefined);
  if (typeof topic !== 'string') {
    return { ok: false, problems: [{ path: 'topic', reason: 'is required to know what the payload is' }] };
  }
  if (!ORDER_TOPICS[webhook.provider].includes(topic)) {
    return {
      ok: true,
      events: [],
      ignored: `${webhook.provider} topic "${topic}" carries no order data we ingest`,
    };
  }
  const reader = new PayloadReader(webhook.emailSalt);
  const events = readers[webhook.provider](reader, topic, body);
  return reader.problems.length > 0 ? { ok: false, problems: reader.problems } : { ok: true, events };
}

type ProviderReader = (r: PayloadReader, topic: string, body: Record<string, unknown>) => OrderEvent[];

const readers: Record<CommerceProvider, ProviderReader> = {
  shopify: (r, topic, body) =>
    topic === 'refunds/create' ? shopifyRefundEvent(r, body) : shopifyOrderEvent(r, body),
  woocommerce: (r, _topic, body) => wooOrderEvent(r, body),
  stripe: (r, topic, body) => stripeEvent(r, topic, body),
  paypal: (r, topic, body) => payPalEvent(r, topic, body),
};

const SHOPIFY_STATUS: Record<string, OrderStatus> = {
  pending: 'pending',
  authorized: 'authorized',
  partially_paid: 'pending',
  paid: 'paid',
  partially_refunded: 'partially_refunded',
  refunded: 'refunded',
  voided: 'cancelled',
};

function shopifyOrderEvent(r: PayloadReader, order: Record<string, unknown>): OrderEvent[] {
  const currency = r.currency(order.currency, '/currency');
  const at = r.time(order.updated_at, '/updated_at');
  const orderId = r.id(order.id, '/id');
  if (currency === undefined || at === undefined || orderId === undefined) return [];
  const lineItems = r.list(order.line_items, '/line_items').map((item, i): LineItem => {
    const path = `/line_items/${i}`;
    return withoutUndefined({
      sku: r.optionalString(item.sku),
      productId: item.product_id == null ? undefined : String(item.product_id),
      name: r.optionalString(item.name),
      quantity: r.quantity(item.quantity, `${path}/quantity`),
      unitPriceMinor: r.money(item.price, currency, `${path}/price`) ?? 0,
    });
  });
  const shippingSet = isPlainObject(order.total_shipping_price_set)
    ? order.total_shipping_price_set.shop_money
    : undefined;
  const status: OrderStatus | undefined =
    order.cancelled_at != null ? 'cancelled' : SHOPIFY_STATUS[String(order.financial_status)];
  const fields: Partial<OrderFields> = {
    currency,
    status,
    customer: r.customer(isPlainObject(order.customer) ? order.customer.id : undefined, order.email),
    lineItems,
    subtotalMinor: r.money(order.total_line_items_price, currency, '/total_line_items_price'),
    discountMinor: r.money(order.total_discounts, currency, '/total_discounts'),
    taxMinor: r.money(order.total_tax, currency, '/total_tax'),
    shippingMinor: isPlainObject(shippingSet)
      ? r.money(shippingSet.amount, currency, '/total_shipping_price_set/shop_money/amount')
      : undefined,
    totalMinor: r.money(order.total_price, currency, '/total_price'),
    placedAt: r.optionalTime(order.created_at, '/created_at'),
    reference: r.optionalString(order.name),
  };
  const refunds = r
    .list(order.refunds ?? [], '/refunds')
    .map((refund, i) => shopifyRefund(r, refund, `/refunds/${i}`, currency))
    .filter((refund): refund is Refund => refund !== undefined);
  return [{ provider: 'shopify', orderId, at, fields: withoutUndefined(fields), refunds }];
}

function shopifyRefundEvent(r: PayloadReader, refund: Record<string, unknown>): OrderEvent[] {
  const orderId = r.id(refund.order_id, '/order_id');
  const parsed = shopifyRefund(r, refund, '', undefined);
  if (orderId === undefined || parsed === undefined) return [];
  return [{ provider: 'shopify', orderId, at: parsed.createdAt, fields: {}, refunds: [parsed] }];
}

/** Amount = the successful `refund` transactions; a refund with none (a restock only) is 0. */
function shopifyRefund(
  r: PayloadReader,
  refund: Record<string, unknown>,
  path: string,
  orderCurrency: string | undefined,
): Refund | undefined {
  const refundId = r.id(refund.id, `${path}/id`);
  const createdAt = r.time(refund.created_at, `${path}/created_at`);
  const transactions = r
    .list(refund.transactions ?? [], `${path}/transactions`)
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.kind === 'refund' && t.status === 'success');
  const currency =
    orderCurrency ??
    (transactions.length > 0
      ? r.currency(transactions[0].t.currency, `${path}/transactions/0/currency`)
      : undefined);
  if (currency === undefined) {
    r.problem(`${path}/transactions`, 'no successful refund transaction gives the currency');
    return undefined;
  }
  const amountMinor = transactions.reduce(
    (sum, { t, i }) => sum + (r.money(t.amount, currency, `${path}/transactions/${i}/amount`) ?? 0),
    0,
  );
  const lineItems = r.list(refund.refund_line_items ?? [], `${path}/refund_line_items`).map((item, i) =>
    withoutUndefined({
      sku: isPlainObject(item.line_item) ? r.optionalString(item.line_item.sku) : undefined,
      quantity: r.quantity(item.quantity, `${path}/refund_line_items/${i}/quantity`),
    }),
  );
  if (refundId === undefined || createdAt === undefined) return undefined;
  return { refundId, amountMinor, currency, createdAt, lineItems };
}

const WOO_STATUS: Record<string, OrderStatus> = {
  pending: 'pending',
  'checkout-draft': 'pending',
  processing: 'paid',
  'on-hold': 'on_hold',
  completed: 'completed',
  cancelled: 'cancelled',
  refunded: 'refunded',
  failed: 'failed',
  trash: 'cancelled',
};

function wooOrderEvent(r: PayloadReader, order: Record<string, unknown>): OrderEvent[] {
  const currency = r.currency(order.currency, '/currency');
  // WooCommerce's *_gmt fields are UTC without a zone designator.
  const at = r.time(withUtcZone(order.date_modified_gmt), '/date_modified_gmt');
  const orderId = r.id(order.id, '/id');
  if (currency === undefined || at === undefined || orderId === undefined) return [];
  let subtotalMinor = 0;
  const lineItems = r.list(order.line_items, '/line_items').map((item, i): LineItem => {
    const path = `/line_items/${i}`;
    const quantity = r.quantity(item.quantity, `${path}/quantity`);
    const lineSubtotal = r.money(item.subtotal, currency, `${path}/subtotal`) ?? 0;
    subtotalMinor += lineSubtotal;
    return withoutUndefined({
      sku: r.optionalString(item.sku) || undefined,
      productId: item.product_id == null ? undefined : String(item.product_id),
      name: r.optionalString(item.name),
      quantity,
      unitPriceMinor: quantity > 0 ? Math.round(lineSubtotal / quantity) : 0,
    });
  });
  const billing = isPlainObject(order.billing) ? order.billing : {};
  const customerId =
    typeof order.customer_id === 'number' && order.customer_id > 0 ? order.customer_id : undefined;
  const fields: Partial<OrderFields> = {
    currency,
    status: WOO_STATUS[String(order.status)],
    customer: r.customer(customerId, billing.email),
    lineItems,
    subtotalMinor,
    discountMinor: r.money(order.discount_total, currency, '/discount_total'),
    taxMinor: r.money(order.total_tax, currency, '/total_tax'),
    shippingMinor: r.money(order.shipping_total, currency, '/shipping_total'),
    totalMinor: r.money(order.total, currency, '/total'),
    placedAt: r.optionalTime(withUtcZone(order.date_created_gmt), '/date_created_gmt'),
    reference: r.optionalString(order.number),
  };
  // The order's refunds list carries id and a negative total; WooCommerce gives no time, so the
  // order's modification time stands in.
  const refunds = r.list(order.refunds ?? [], '/refunds').flatMap((refund, i): Refund[] => {
    const refundId = r.id(refund.id, `/refunds/${i}/id`);
    const amount = r.money(refund.total, currency, `/refunds/${i}/total`);
    return refundId === undefined || amount === undefined
      ? []
      : [{ refundId, amountMinor: Math.abs(amount), currency, createdAt: at }];
  });
  return [{ provider: 'woocommerce', orderId, at, fields: withoutUndefined(fields), refunds }];
}

function stripeEvent(r: PayloadReader, topic: string, event: Record<string, unknown>): OrderEvent[] {
  const created = r.unixSeconds(event.created, '/created');
  const object =
    isPlainObject(event.data) && isPlainObject(event.data.object) ? event.data.object : undefined;
  if (object === undefined) {
    r.problem('/data/object', 'is required');
    return [];
  }
  const currency = r.currency(
    typeof object.currency === 'string' ? object.currency.toUpperCase() : object.currency,
    '/data/object/currency',
  );
  if (created === undefined || currency === undefined) return [];
  const path = (field: string) => `/data/object/${field}`;
  const customerId = typeof object.customer === 'string' ? object.customer : undefined;

  if (topic === 'checkout.session.completed') {
    const orderId = r.id(object.payment_intent ?? object.id, path('payment_intent'));
    const totals = isPlainObject(object.total_details) ? object.total_details : {};
    const details = isPlainObject(object.customer_details) ? object.customer_details : {};
    if (orderId === undefined) return [];
    const fields: Partial<OrderFields> = {
      currency,
      status:
        object.payment_status === 'paid' || object.payment_status === 'no_payment_required'
          ? 'paid'
          : 'pending',
      customer: r.customer(customerId, details.email ?? object.customer_email),
      subtotalMinor: r.minor(object.amount_subtotal, path('amount_subtotal')),
      discountMinor: r.minor(totals.amount_discount ?? 0, path('total_details/amount_discount')),
      taxMinor: r.minor(totals.amount_tax ?? 0, path('total_details/amount_tax')),
      shippingMinor: r.minor(totals.amount_shipping ?? 0, path('total_details/amount_shipping')),
      totalMinor: r.minor(object.amount_total, path('amount_total')),
      placedAt: r.unixSeconds(object.created, path('created')),
      reference: r.optionalString(object.client_reference_id),
    };
    return [{ provider: 'stripe', orderId, at: created, fields: withoutUndefined(fields), refunds: [] }];
  }
  if (topic === 'payment_intent.succeeded') {
    const orderId = r.id(object.id, path('id'));
    if (orderId === undefined) return [];
    const fields: Partial<OrderFields> = {
      currency,
      status: 'paid',
      customer: r.customer(customerId, object.receipt_email),
      totalMinor: r.minor(object.amount_received, path('amount_received')),
      placedAt: r.unixSeconds(object.created, path('created')),
    };
    return [{ provider: 'stripe', orderId, at: created, fields: withoutUndefined(fields), refunds: [] }];
  }
  // charge.refunded: `amount_refunded` is cumulative and only grows, so the charge's refunds are one
  // entry per charge, the latest event's figure winning (Stripe no longer embeds `refunds.data`).
  const chargeId = r.id(object.id, path('id'));
  const orderId = r.id(object.payment_intent ?? object.id, path('payment_intent'));
  const refunded = r.minor(object.amount_refunded, path('amount_refunded'));
  if (chargeId === undefined || orderId === undefined || refunded === undefined) return [];
  return [
    {
      provider: 'stripe',
      orderId,
      at: created,
      fields: { status: object.refunded === true ? 'refunded' : 'partially_refunded' },
      refunds: [{ refundId: `charge:${chargeId}`, amountMinor: refunded, currency, createdAt: created }],
    },
  ];
}

function payPalEvent(r: PayloadReader, topic: string, event: Record<string, unknown>): OrderEvent[] {
  const resource = isPlainObject(event.resource) ? event.resource : undefined;
  if (resource === undefined) {
    r.problem('/resource', 'is required');
    return [];
  }
  const amount = isPlainObject(resource.amount) ? resource.amount : {};
  const currency = r.currency(amount.currency_code, '/resource/amount/currency_code');
  const at = r.time(resource.update_time ?? resource.create_time, '/resource/update_time');
  const id = r.id(resource.id, '/resource/id');
  const value =
    currency === undefined ? undefined : r.money(amount.value, currency, '/resource/amount/value');
  if (currency === undefined || at === undefined || id === undefined || value === undefined) return [];

  if (topic === 'PAYMENT.CAPTURE.COMPLETED') {
    const related = isPlainObject(resource.supplementary_data)
      ? resource.supplementary_data.related_ids
      : undefined;
    const payPalOrderId = isPlainObject(related) ? r.optionalString(related.order_id) : undefined;
    const fields: Partial<OrderFields> = {
      currency,
      status: 'paid',
      totalMinor: value,
      placedAt: r.optionalTime(resource.create_time, '/resource/create_time'),
      reference:
        r.optionalString(resource.invoice_id) ?? r.optionalString(resource.custom_id) ?? payPalOrderId,
    };
    return [{ provider: 'paypal', orderId: id, at, fields: withoutUndefined(fields), refunds: [] }];
  }
  const links = Array.isArray(resource.links) ? resource.links.filter(isPlainObject) : [];
  const up = links.find((link) => link.rel === 'up' && typeof link.href === 'string');
  const captureId = up ? /\/captures\/([^/?#]+)/.exec(String(up.href))?.[1] : undefined;
  if (captureId === undefined) {
    r.problem('/resource/links', 'has no "up" link to the refunded capture');
    return [];
  }
  return [
    {
      provider: 'paypal',
      orderId: captureId,
      at,
      fields: {},
      refunds: [{ refundId: id, amountMinor: value, currency, createdAt: at }],
    },
  ];
}

/** Reads payload fields, collecting a problem (path + reason) for each one that is wrong. */
class PayloadReader {
  readonly problems: Problem[] = [];

  constructor(private readonly emailSalt: string) {}

  problem(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  id(value: unknown, path: string): string | undefined {
    if (
      (typeof value === 'string' && value !== '') ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      return String(value);
    }
    this.problem(path, `must be an id (string or number), got ${describeType(value)}`);
    return undefined;
  }

  currency(value: unknown, path: string): string | undefined {
    if (isCurrencyCode(value)) return value.toUpperCase();
    this.problem(path, 'must be a three-letter ISO 4217 currency code');
    return undefined;
  }

  time(value: unknown, path: string): number | undefined {
    const parsed = parseIsoDateTime(value);
    if (parsed.ok) return parsed.ms;
    this.problem(path, parsed.reason);
    return undefined;
  }

  optionalTime(value: unknown, path: string): number | undefined {
    return value == null ? undefined : this.time(value, path);
  }

  unixSeconds(value: unknown, path: string): number | undefined {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value * 1000;
    this.problem(path, 'must be a Unix time in seconds');
    return undefined;
  }

  money(value: unknown, currency: string, path: string): number | undefined {
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.problem(path, `must be a decimal amount, got ${describeType(value)}`);
      return undefined;
    }
    const parsed = toMinorUnits(value, currency);
    if (parsed.ok) return parsed.minor;
    this.problem(path, parsed.reason);
    return undefined;
  }

  /** An amount already in minor units (Stripe). */
  minor(value: unknown, path: string): number | undefined {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    this.problem(path, `must be an integer amount in minor units, got ${describeType(value)}`);
    return undefined;
  }

  quantity(value: unknown, path: string): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    this.problem(path, 'must be a whole number of items, 0 or more');
    return 0;
  }

  list(value: unknown, path: string): Record<string, unknown>[] {
    if (!Array.isArray(value)) {
      this.problem(path, `must be an array, got ${describeType(value)}`);
      return [];
    }
    return value.map((item, i) => {
      if (isPlainObject(item)) return item;
      this.problem(`${path}/${i}`, `must be an object, got ${describeType(item)}`);
      return {};
    });
  }

  optionalString(value: unknown): string | undefined {
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  }

  customer(id: unknown, email: unknown): OrderFields['customer'] {
    return withoutUndefined({
      id: id == null ? undefined : String(id),
      emailHash:
        typeof email === 'string' && email.trim() !== ''
          ? hashCustomerEmail(email, this.emailSalt)
          : undefined,
    });
  }
}

function withUtcZone(value: unknown): unknown {
  return typeof value === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
