import { Injectable } from '@nestjs/common';
import {
  applyOrderEvent,
  type OrderEvent,
  type OrderFields,
  type OrderState,
} from '@sextant/domain/ingestion';
import { addToOutbox } from '@sextant/platform/messaging';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import { findProfile } from '../identity/profile-lookup';
import type { IdentifierKind } from '../identity/profile.entity';
import { anySuppressed } from '../privacy/suppression';
import { CommerceOrder } from './order.entity';
import { orderRecordedPayload } from './order-payload';

export interface RecordedOrder {
  orderId: string;
  /** The published revision after this event (0 while the order cannot be published yet). */
  revision: number;
  changed: boolean;
  /** The event named an erased (suppressed) customer: its customer link was dropped. */
  customerSuppressed: boolean;
}

function customerIdentifiers(customer: OrderFields['customer'] | undefined) {
  return [
    ...(customer?.id ? [{ kind: 'customerId' as const, value: customer.id }] : []),
    ...(customer?.emailHash ? [{ kind: 'emailHash' as const, value: customer.emailHash }] : []),
  ] satisfies { kind: IdentifierKind; value: string }[];
}

/**
 * Folds an order event into the stored order (row-locked, so concurrent deliveries of one order
 * serialise) and, when the order or its profile link changed, publishes the whole order with the
 * next revision through the outbox, in the caller's transaction. An event whose customer is
 * suppressed (an erased subject) is folded without its customer, so the order keeps its amounts but
 * never links the subject again.
 */
@Injectable()
export class OrderRecorder {
  async record(
    manager: EntityManager,
    context: { tenantId: string; sourceId: string },
    incoming: OrderEvent,
  ): Promise<RecordedOrder> {
    const customerSuppressed = await anySuppressed(
      manager,
      context.tenantId,
      customerIdentifiers(incoming.fields.customer),
    );
    const event = customerSuppressed ? withoutCustomer(incoming) : incoming;
    const orderId = `${event.provider}:${event.orderId}`;
    await manager
      .createQueryBuilder()
      .insert()
      .into(CommerceOrder)
      .values({
        tenantId: context.tenantId,
        orderId,
        provider: event.provider,
        sourceId: context.sourceId,
        state: null,
        revision: 0,
        profileId: null,
        updatedAt: new Date(),
      })
      .orIgnore()
      .execute();
    const stored = await manager.findOneOrFail(CommerceOrder, {
      where: { tenantId: context.tenantId, orderId },
      lock: { mode: 'pessimistic_write' },
    });

    // Through JSON, as jsonb will store it, so an unchanged state compares equal.
    const state = JSON.parse(JSON.stringify(applyOrderEvent(stored.state ?? undefined, event))) as OrderState;
    const profileId =
      (await findProfile(manager, customerIdentifiers(state.fields.customer?.value))) ?? stored.profileId;
    if (isDeepStrictEqual(state, stored.state) && profileId === stored.profileId)
      return { orderId, revision: stored.revision, changed: false, customerSuppressed };

    const payload = orderRecordedPayload(state, {
      tenantId: context.tenantId,
      orderId,
      sourceId: stored.sourceId,
      revision: stored.revision + 1,
      profileId,
    });
    const revision = payload ? payload.revision : stored.revision;
    await manager.update(
      CommerceOrder,
      { tenantId: context.tenantId, orderId },
      { state, profileId, revision, updatedAt: new Date() },
    );
    if (payload)
      await addToOutbox(manager, 'commerce.order.recorded.v1', {
        tenantId: context.tenantId,
        key: `${context.tenantId}:${orderId}`,
        payload,
      });
    return { orderId, revision, changed: true, customerSuppressed };
  }
}

function withoutCustomer(event: OrderEvent): OrderEvent {
  const { customer: _erased, ...fields } = event.fields;
  return { ...event, fields };
}
