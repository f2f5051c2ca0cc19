import type { EventPayloads } from '@sextant/contracts';

type Order = EventPayloads['commerce.order.recorded.v1'];

export interface DemandLine {
  sku: string;
  day: string;
  quantity: number;
}

const NO_DEMAND = new Set(['cancelled', 'failed']);

/**
 * What one revision of an order adds to daily demand: per SKU, the quantity ordered less the
 * quantity refunded (never below zero), on the day the order was placed (UTC). Cancelled and
 * failed orders add nothing; lines without a SKU are not demand of any SKU.
 */
export function orderDemand(order: Order): DemandLine[] {
  if (NO_DEMAND.has(order.status)) return [];
  const net = new Map<string, number>();
  for (const line of order.lineItems)
    if (line.sku) net.set(line.sku, (net.get(line.sku) ?? 0) + line.quantity);
  for (const refund of order.refunds)
    for (const line of refund.lineItems)
      if (line.sku && net.has(line.sku)) net.set(line.sku, net.get(line.sku)! - line.quantity);
  const day = order.placedAt.slice(0, 10);
  return [...net]
    .map(([sku, quantity]) => ({ sku, day, quantity: Math.max(0, quantity) }))
    .filter((line) => line.quantity > 0);
}

/** The change to daily demand when an order's contribution goes from `before` to `after`. */
export function demandDelta(before: DemandLine[], after: DemandLine[]): DemandLine[] {
  const delta = new Map<string, DemandLine>();
  const add = (line: DemandLine, sign: number) => {
    const key = `${line.sku}\u0000${line.day}`;
    const entry = delta.get(key) ?? { sku: line.sku, day: line.day, quantity: 0 };
    entry.quantity += sign * line.quantity;
    delta.set(key, entry);
  };
  for (const line of before) add(line, -1);
  for (const line of after) add(line, 1);
  return [...delta.values()].filter((line) => line.quantity !== 0);
}
