import { Injectable } from '@nestjs/common';
import type { EventHandlers, EventSubscriber } from '@sextant/platform/messaging';
import { demandDelta, type DemandLine, orderDemand } from './order-demand';

/**
 * Orders into daily demand. Each message is the whole order at some revision: only a higher
 * revision than the one applied counts, and its SKU quantities replace the order's earlier
 * contribution (the difference is applied), so redelivery and out-of-order revisions converge.
 */
@Injectable()
export class OrdersConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return {
      'commerce.order.recorded.v1': async (order, { manager, tenantId }) => {
        await manager.query(
          `insert into order_contributions (tenant_id, order_id, revision, lines) values ($1, $2, 0, '[]')
           on conflict do nothing`,
          [tenantId, order.orderId],
        );
        const [applied] = (await manager.query(
          `select revision, lines from order_contributions where tenant_id = $1 and order_id = $2 for update`,
          [tenantId, order.orderId],
        )) as { revision: number; lines: DemandLine[] }[];
        if (applied.revision >= order.revision) return;
        const lines = orderDemand(order);
        const delta = demandDelta(applied.lines, lines);
        if (delta.length > 0)
          await manager.query(
            `insert into ts_demand_daily (tenant_id, sku, day, ordered)
             select $1, d.sku, d.day::date, d.quantity
               from unnest($2::text[], $3::text[], $4::float8[]) as d(sku, day, quantity)
             on conflict (tenant_id, sku, day) do update set ordered = ts_demand_daily.ordered + excluded.ordered`,
            [tenantId, delta.map((d) => d.sku), delta.map((d) => d.day), delta.map((d) => d.quantity)],
          );
        await manager.query(
          `update order_contributions set revision = $3, lines = $4 where tenant_id = $1 and order_id = $2`,
          [tenantId, order.orderId, order.revision, JSON.stringify(lines)],
        );
      },
    };
  }
}
