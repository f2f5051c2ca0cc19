import type { EventPayloads } from '@sextant/contracts';
import type { EntityManager } from 'typeorm';
import type { EventHandlers } from './event-consumer';
import { addToOutbox } from './outbox';

export type ErasureRequest = EventPayloads['privacy.subject.deletion-requested.v1'];

/** What one part of a service holds about data subjects, and how it erases it. */
export interface SubjectEraser {
  /**
   * Deletes or irreversibly anonymises what is held about the request's profiles and identifiers,
   * in the given tenant transaction; returns the rows touched per table.
   */
  erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>>;
}

/**
 * The deletion-request handler of a service: runs its erasers and confirms with
 * `privacy.subject.deletion-completed.v1` in the same transaction, so a confirmation is sent if and
 * only if the erasure committed (and a redelivered request erases nothing twice).
 */
export function subjectErasureHandlers(service: string, erasers: SubjectEraser[]): EventHandlers {
  return {
    'privacy.subject.deletion-requested.v1': async (request, { manager, tenantId }) => {
      const erased: Record<string, number> = {};
      for (const eraser of erasers) {
        for (const [table, rows] of Object.entries(await eraser.erase(manager, request)))
          erased[table] = (erased[table] ?? 0) + rows;
      }
      await addToOutbox(manager, 'privacy.subject.deletion-completed.v1', {
        tenantId,
        key: `${tenantId}:${request.requestId}`,
        payload: {
          tenantId,
          requestId: request.requestId,
          service,
          erased,
          completedAt: new Date().toISOString(),
        },
      });
    },
  };
}

/** Rows a DELETE or UPDATE touched (TypeORM's raw query result is [rows, count] for those). */
export function affectedRows(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
