import { Injectable } from '@nestjs/common';
import { applyOrderEvent, type OrderEvent, type OrderState } from '@sextant/domain/ingestion';
import { addToOutbox } from '@sextant/platform/messaging';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import { findProfile } from '../identity/profile-lookup';
import type { IdentifierKind } from '../identity/profile.entity';
import { CommerceOrder } from './order.entity';
import { orderRecordedPayload } from './order-payload';

export interface RecordedOrder {
  orderId: string;
  /** The published revision after this event (0 while the order cannot be published yet). */
  revision: number;
  changed: boolean;
}

/**
 * Folds an order event into the stored order (row-locked, so concurrent deliveries of one order
 * serialise) and, when the order or its profile link changed, publishes the whole order with the
 * next revision through the outbox, in the caller's transaction.
 */
@Injectable()
export class OrderRecorder {
  async record(
    manager: EntityManager,
    context: { tenantId: string; sourceId: string },
    event: OrderEvent,
  ): Promise<RecordedOrder> {
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
    const customer = state.fields.customer?.value;
    const identifiers: { kind: IdentifierKind; value: string }[] = [
      ...(customer?.id ? [{ kind: 'customerId' as const, value: customer.id }] : []),
      ...(customer?.emailHash ? [{ kind: 'emailHash' as const, value: customer.emailHash }] : []),
    ];
    const profileId = (await findProfile(manager, identifiers)) ?? stored.profileId;
    if (isDeepStrictEqual(state, stored.state) && profileId === stored.profileId)
      return { orderId, revision: stored.revision, changed: false };

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
    return { orderId, revision, changed: true };
  }
}
