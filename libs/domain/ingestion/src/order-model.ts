/**
 * The canonical order, built from any provider's webhooks by a reducer that converges whatever the
 * order and number of deliveries:
 * - every order field is a last-writer-wins register, versioned by the provider's own clock
 *   (`updated_at`, `date_modified_gmt`, the event's `created`), ties broken by the value's text, so the
 *   result does not depend on arrival order (commutative) and a repeated event changes nothing
 *   (idempotent);
 * - refunds are a map by refund id, each entry itself last-writer-wins;
 * - the status history is the set of (status, time) pairs seen, kept sorted.
 */
import { createHmac } from 'node:crypto';
import { stableStringify } from './problems';

export type CommerceProvider = 'shopify' | 'woocommerce' | 'stripe' | 'paypal';

export type OrderStatus =
  | 'pending'
  | 'authorized'
  | 'on_hold'
  | 'paid'
  | 'completed'
  | 'partially_refunded'
  | 'refunded'
  | 'cancelled'
  | 'failed';

export interface LineItem {
  sku?: string;
  productId?: string;
  name?: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface Customer {
  /** The provider's customer id. */
  id?: string;
  /** `hashCustomerEmail` of the email: the address itself is never kept. */
  emailHash?: string;
}

/** Fields an event may set; absent means "this event does not know". Amounts in minor units of `currency`. */
export interface OrderFields {
  currency: string;
  status: OrderStatus;
  customer: Customer;
  lineItems: LineItem[];
  /** Line items before discounts, tax and shipping. */
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  shippingMinor: number;
  totalMinor: number;
  placedAt: number;
  /** The merchant's own order number or reference (Shopify `name`, Stripe `client_reference_id`, ...). */
  reference: string;
}

export interface Refund {
  refundId: string;
  amountMinor: number;
  currency: string;
  createdAt: number;
  lineItems?: { sku?: string; quantity: number }[];
}

/** One fact about an order from one delivery, at the provider's time `at` (ms since the epoch). */
export interface OrderEvent {
  provider: CommerceProvider;
  orderId: string;
  at: number;
  fields: Partial<OrderFields>;
  refunds: Refund[];
}

interface Versioned<T> {
  value: T;
  at: number;
  /** Tie-breaker between different values written at the same `at`. */
  text: string;
}

export interface OrderState {
  provider: CommerceProvider;
  orderId: string;
  fields: { [K in keyof OrderFields]?: Versioned<OrderFields[K]> };
  refunds: Record<string, Versioned<Refund>>;
  statusHistory: { status: OrderStatus; at: number }[];
}

/**
 * SHA-256 HMAC of the trimmed, lower-cased address, keyed with the tenant's salt, hex: the same
 * customer matches across a tenant's sources, and hashes cannot be joined across tenants.
 */
export function hashCustomerEmail(email: string, tenantSalt: string): string {
  if (tenantSalt === '') throw new Error('tenantSalt: must not be empty');
  return createHmac('sha256', tenantSalt).update(email.trim().toLowerCase(), 'utf8').digest('hex');
}

function newer<T>(current: Versioned<T> | undefined, candidate: Versioned<T>): boolean {
  if (current === undefined) return true;
  if (candidate.at !== current.at) return candidate.at > current.at;
  return candidate.text > current.text;
}

function versioned<T>(value: T, at: number): Versioned<T> {
  return { value, at, text: stableStringify(value) };
}

/** Folds one event into an order's state (undefined: an order not seen yet). Returns a new state. */
export function applyOrderEvent(state: OrderState | undefined, event: OrderEvent): OrderState {
  if (state && (state.provider !== event.provider || state.orderId !== event.orderId)) {
    throw new Error(
      `orderId: event for ${event.provider}/${event.orderId} applied to ${state.provider}/${state.orderId}`,
    );
  }
  const next: OrderState = state
    ? { ...state, fields: { ...state.fields }, refunds: { ...state.refunds } }
    : { provider: event.provider, orderId: event.orderId, fields: {}, refunds: {}, statusHistory: [] };

  const fields = next.fields as Record<string, Versioned<unknown> | undefined>;
  for (const [name, value] of Object.entries(event.fields)) {
    if (value === undefined) continue;
    const candidate = versioned(value, event.at);
    if (newer(fields[name], candidate)) fields[name] = candidate;
  }
  for (const refund of event.refunds) {
    const candidate = versioned(refund, event.at);
    if (newer(next.refunds[refund.refundId], candidate)) next.refunds[refund.refundId] = candidate;
  }
  const status = event.fields.status;
  if (status !== undefined && !next.statusHistory.some((s) => s.status === status && s.at === event.at)) {
    next.statusHistory = [...next.statusHistory, { status, at: event.at }].sort(
      (a, b) => a.at - b.at || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0),
    );
  }
  return next;
}

export interface OrderView extends Partial<OrderFields> {
  provider: CommerceProvider;
  orderId: string;
  refunds: Refund[];
  refundedMinor: number;
  /** `totalMinor - refundedMinor`, when the total is known. */
  netMinor?: number;
  statusHistory: { status: OrderStatus; at: number }[];
}

/** The order as plain values, refunds in time order, with refunded and net totals. */
export function orderView(state: OrderState): OrderView {
  const fields = Object.fromEntries(
    Object.entries(state.fields).map(([name, register]) => [name, register?.value]),
  ) as Partial<OrderFields>;
  const refunds = Object.values(state.refunds)
    .map((r) => r.value)
    .sort((a, b) => a.createdAt - b.createdAt || (a.refundId < b.refundId ? -1 : 1));
  const refundedMinor = refunds.reduce((sum, r) => sum + r.amountMinor, 0);
  return {
    provider: state.provider,
    orderId: state.orderId,
    ...fields,
    refunds,
    refundedMinor,
    netMinor: fields.totalMinor === undefined ? undefined : fields.totalMinor - refundedMinor,
    statusHistory: state.statusHistory,
  };
}
