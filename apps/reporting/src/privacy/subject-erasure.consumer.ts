import { Injectable } from '@nestjs/common';
import {
  affectedRows,
  type ErasureRequest,
  type EventHandlers,
  type EventSubscriber,
  type SubjectEraser,
  subjectErasureHandlers,
} from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';
import { MartWriter, returned } from '../marts/mart-writer';

/**
 * Reporting's customer-grain data is the staged order (its payload names the customer and profile)
 * and the order fact's customer key; both lose the link, amounts stay, so the marts (per day x
 * channel, campaign or SKU) keep their totals. Customers left without a keyed order leave dim_customer.
 */
class OrderCustomerEraser implements SubjectEraser {
  async erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>> {
    const ids = request.identifiers.filter((i) => i.kind === 'customerId').map((i) => i.value);
    const hashes = request.identifiers.filter((i) => i.kind === 'emailHash').map((i) => i.value);
    const subjectOrders = `SELECT order_id FROM stg_orders
       WHERE payload->>'profileId' = ANY($1::text[]) OR payload->'customer'->>'id' = ANY($2::text[])
          OR payload->'customer'->>'emailHash' = ANY($3::text[])`;
    const params = [request.profileIds, ids, hashes];
    const facts: { customer_key: string }[] = returned(
      await manager.query(
        `WITH hit AS (
           SELECT order_id, customer_key FROM fct_orders
           WHERE customer_key IS NOT NULL AND (order_id IN (${subjectOrders}) OR customer_key = ANY($1::text[])
              OR customer_key = ANY($2::text[]) OR customer_key = ANY($3::text[]))
           FOR UPDATE)
         UPDATE fct_orders f SET customer_key = NULL FROM hit WHERE f.order_id = hit.order_id
         RETURNING hit.customer_key`,
        params,
      ),
    );
    await new MartWriter(manager, request.tenantId).refreshCustomers(facts.map((f) => f.customer_key));
    const staged = await manager.query(
      `UPDATE stg_orders SET payload = jsonb_set(jsonb_set(payload, '{customer}', '{"id": null, "emailHash": null}'),
         '{profileId}', 'null')
       WHERE order_id IN (${subjectOrders})`,
      params,
    );
    return { stg_orders: affectedRows(staged), fct_orders: facts.length };
  }
}

@Injectable()
export class SubjectErasureConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return subjectErasureHandlers('reporting', [new OrderCustomerEraser()]);
  }
}
