import { preparedQuery } from '@sextant/platform/database';
import type { EntityManager } from 'typeorm';
import type { PreparedEvent } from '../tracking/tracking-event';
import { type Identifier, suppressionHash } from './subject-requests.service';

function identifiersOf(event: PreparedEvent): Identifier[] {
  const ids: Identifier[] = [];
  if (event.anonymousId) ids.push({ kind: 'anonymousId', value: event.anonymousId });
  if (event.userId) ids.push({ kind: 'userId', value: event.userId });
  if (event.emailHash) ids.push({ kind: 'emailHash', value: event.emailHash });
  // An alias's previous id may be either kind: either would link the erased subject again.
  if (event.previousId)
    ids.push({ kind: 'anonymousId', value: event.previousId }, { kind: 'userId', value: event.previousId });
  return ids;
}

/** Whether any of the identifiers is suppressed (erased, not lifted) in the tenant. */
export async function anySuppressed(
  manager: EntityManager,
  tenantId: string,
  identifiers: Identifier[],
): Promise<boolean> {
  if (identifiers.length === 0) return false;
  const rows: unknown[] = await manager.query(
    `SELECT 1 FROM ingestion.suppressed_identifiers
      WHERE tenant_id = $1 AND (kind, value_hash) IN (SELECT * FROM unnest($2::text[], $3::text[])) LIMIT 1`,
    [tenantId, identifiers.map((i) => i.kind), identifiers.map((i) => suppressionHash(tenantId, i))],
  );
  return rows.length > 0;
}

/**
 * The positions of the events whose subject is suppressed (erased, not lifted): one query for the
 * whole batch, matching the keyed hashes of every identifier the events carry.
 */
export async function suppressedEvents(
  manager: EntityManager,
  tenantId: string,
  events: PreparedEvent[],
): Promise<Set<number>> {
  const identifiers = events.map((event) =>
    identifiersOf(event).map((identifier) => ({
      kind: identifier.kind,
      hash: suppressionHash(tenantId, identifier),
    })),
  );
  const all = identifiers.flat();
  if (all.length === 0) return new Set();
  const rows = await preparedQuery<{ kind: string; value_hash: string }>(
    manager,
    `SELECT kind, value_hash FROM ingestion.suppressed_identifiers
      WHERE tenant_id = $1 AND (kind, value_hash) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [tenantId, all.map((i) => i.kind), all.map((i) => i.hash)],
  );
  if (rows.length === 0) return new Set();
  const suppressed = new Set(rows.map((r) => `${r.kind}:${r.value_hash}`));
  return new Set(
    identifiers.flatMap((ids, index) =>
      ids.some((i) => suppressed.has(`${i.kind}:${i.hash}`)) ? [index] : [],
    ),
  );
}
