import type { EventPayloads } from '@sextant/contracts';
import { orderView, type OrderState } from '@sextant/domain/ingestion';

export type OrderRecorded = EventPayloads['commerce.order.recorded.v1'];

const iso = (ms: number) => new Date(ms).toISOString();
const text = (value: string | undefined, max: number) => (value === undefined ? null : value.slice(0, max));

/**
 * The whole order as `commerce.order.recorded.v1`, or undefined while it is not yet an order a
 * consumer can count: currency, status and total unknown (e.g. a PayPal refund that arrived before
 * its capture). Times come from the providers' clocks, so every delivery order gives the same
 * message (but its revision). Amounts a provider does not send (PayPal and a bare Stripe payment
 * carry only the total) are 0, and the subtotal then balances the total.
 */
export function orderRecordedPayload(
  state: OrderState,
  meta: { tenantId: string; orderId: string; sourceId: string; revision: number; profileId: string | null },
): OrderRecorded | undefined {
  const view = orderView(state);
  if (view.currency === undefined || view.status === undefined || view.totalMinor === undefined)
    return undefined;
  const times = [
    ...Object.values(state.fields).map((register) => register!.at),
    ...Object.values(state.refunds).map((register) => register.at),
  ];
  const discountMinor = view.discountMinor ?? 0;
  const taxMinor = view.taxMinor ?? 0;
  const shippingMinor = view.shippingMinor ?? 0;
  return {
    tenantId: meta.tenantId,
    orderId: meta.orderId,
    revision: meta.revision,
    provider: state.provider,
    sourceId: meta.sourceId,
    reference: text(view.reference, 255),
    status: view.status,
    statusHistory: view.statusHistory.map((entry) => ({ status: entry.status, at: iso(entry.at) })),
    currency: view.currency,
    customer: { id: text(view.customer?.id, 255), emailHash: view.customer?.emailHash ?? null },
    profileId: meta.profileId,
    lineItems: (view.lineItems ?? []).map((item) => ({
      sku: text(item.sku, 255),
      productId: text(item.productId, 255),
      name: text(item.name, 500),
      quantity: item.quantity,
      unitPriceMinor: item.unitPriceMinor,
    })),
    subtotalMinor: view.subtotalMinor ?? view.totalMinor + discountMinor - taxMinor - shippingMinor,
    discountMinor,
    taxMinor,
    shippingMinor,
    totalMinor: view.totalMinor,
    refunds: view.refunds.map((refund) => ({
      refundId: refund.refundId.slice(0, 255),
      amountMinor: refund.amountMinor,
      createdAt: iso(refund.createdAt),
      lineItems: (refund.lineItems ?? []).map((item) => ({
        sku: text(item.sku, 255),
        quantity: item.quantity,
      })),
    })),
    refundedMinor: view.refundedMinor,
    netRevenueMinor: view.totalMinor - view.refundedMinor,
    placedAt: iso(view.placedAt ?? Math.min(...times)),
    updatedAt: iso(Math.max(...times)),
  };
}
