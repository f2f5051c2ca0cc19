import { hashCustomerEmail } from '@sextant/domain/ingestion';
import { affectedRows, type ErasureRequest, type SubjectEraser } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';

function valuesOf(request: ErasureRequest, ...kinds: string[]): string[] {
  return request.identifiers.filter((i) => kinds.includes(i.kind)).map((i) => i.value);
}

/** Dedup records of the subject's events (found by the profile they were resolved to). */
export class TrackedMessagesEraser implements SubjectEraser {
  async erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>> {
    const result = await manager.query(
      `DELETE FROM ingestion.tracked_messages WHERE profile_id = ANY($1::uuid[])`,
      [request.profileIds],
    );
    return { tracked_messages: affectedRows(result) };
  }
}

/**
 * Dead letters are raw bodies that never reached the identity graph: they are matched by the
 * subject's anonymous and user ids in the body, and by the (salted) hash of any email in its traits.
 */
export class DeadLettersEraser implements SubjectEraser {
  async erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>> {
    const ids = valuesOf(request, 'anonymousId', 'userId');
    const emailHashes = new Set(valuesOf(request, 'emailHash'));
    const byId = await manager.query(
      `DELETE FROM ingestion.dead_letters
        WHERE raw_event->>'anonymousId' = ANY($1) OR raw_event->>'userId' = ANY($1)
           OR raw_event->>'previousId' = ANY($1)`,
      [ids],
    );
    let byEmail = 0;
    if (emailHashes.size > 0) {
      const withEmail: { dead_letter_id: string; tenant_id: string; emails: string[] }[] =
        await manager.query(
          `SELECT dead_letter_id, tenant_id, array_remove(ARRAY[raw_event->'traits'->>'email',
                raw_event->'context'->'traits'->>'email'], NULL) AS emails
           FROM ingestion.dead_letters
          WHERE jsonb_typeof(raw_event) = 'object'
            AND (raw_event->'traits' ? 'email' OR raw_event->'context'->'traits' ? 'email')`,
        );
      const matching = withEmail
        .filter((row) => row.emails.some((email) => emailHashes.has(hashCustomerEmail(email, row.tenant_id))))
        .map((row) => row.dead_letter_id);
      if (matching.length > 0)
        byEmail = affectedRows(
          await manager.query(`DELETE FROM ingestion.dead_letters WHERE dead_letter_id = ANY($1::uuid[])`, [
            matching,
          ]),
        );
    }
    return { dead_letters: affectedRows(byId) + byEmail };
  }
}

/**
 * Orders stay (revenue is not personal data), but their link to the customer goes: the profile, and
 * the provider's customer id and email hash in the reduced state.
 */
export class OrderCustomerEraser implements SubjectEraser {
  async erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>> {
    const result = await manager.query(
      `UPDATE ingestion.orders SET profile_id = NULL, state = state #- '{fields,customer}', updated_at = now()
        WHERE profile_id = ANY($1::uuid[])
           OR state->'fields'->'customer'->'value'->>'id' = ANY($2)
           OR state->'fields'->'customer'->'value'->>'emailHash' = ANY($3)`,
      [request.profileIds, valuesOf(request, 'customerId'), valuesOf(request, 'emailHash')],
    );
    return { orders: affectedRows(result) };
  }
}
