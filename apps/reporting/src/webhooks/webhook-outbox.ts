import type { reportingApi } from '@sextant/contracts';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { meetsSeverity, type Severity, webhookBody } from './webhook-message';

type Signal = reportingApi.components['schemas']['Signal'];

/**
 * Queues one delivery per enabled subscription whose minimum severity the signal meets, in the
 * caller's transaction (the one raising the signal): a signal is never raised without its
 * deliveries, nor delivered without having been raised. Returns the number queued.
 */
export async function queueWebhookDeliveries(
  m: EntityManager,
  tenantId: string,
  signal: Signal,
): Promise<number> {
  const subscriptions: { webhook_id: string; min_severity: Severity }[] = await m.query(
    `select webhook_id, min_severity from webhook_subscriptions where tenant_id = $1 and enabled`,
    [tenantId],
  );
  let queued = 0;
  for (const subscription of subscriptions) {
    if (!meetsSeverity(signal.severity, subscription.min_severity)) continue;
    const deliveryId = randomUUID();
    await m.query(
      `insert into webhook_deliveries (tenant_id, delivery_id, webhook_id, signal_id, body, next_attempt_at)
       values ($1, $2, $3, $4, $5, now())`,
      [
        tenantId,
        deliveryId,
        subscription.webhook_id,
        signal.signalId,
        webhookBody(deliveryId, tenantId, signal),
      ],
    );
    await m.query(
      `insert into webhook_delivery_slots (tenant_id, delivery_id, next_attempt_at) values ($1, $2, now())`,
      [tenantId, deliveryId],
    );
    queued++;
  }
  return queued;
}
