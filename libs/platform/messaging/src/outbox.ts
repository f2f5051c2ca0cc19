import type { EventPayloads, LiveTopic } from '@sextant/contracts';
import { currentTraceHeaders } from '@sextant/platform/telemetry';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { assertValidEvent } from './event-validation';
import { OutboxMessage } from './messaging.entities';
import { HEADERS } from './topics';

export interface OutgoingEvent<T extends LiveTopic> {
  tenantId: string;
  /** The aggregate that needs ordering (ARCHITECTURE.md section 4), e.g. tenant + order id. */
  key: string;
  payload: EventPayloads[T];
}

const writeListeners = new Set<() => void>();

/**
 * Calls `listener` whenever this process adds to an outbox (before the transaction commits):
 * relays poll again soon instead of backing off. Returns the unsubscribe function.
 */
export function onOutboxWrite(listener: () => void): () => void {
  writeListeners.add(listener);
  return () => writeListeners.delete(listener);
}

/**
 * Adds an event to the outbox inside the caller's transaction, so it is published if and only if
 * the state change commits. The payload is validated against its contract here, at the source.
 */
export async function addToOutbox<T extends LiveTopic>(
  manager: EntityManager,
  topic: T,
  event: OutgoingEvent<T>,
): Promise<string> {
  const [eventId] = await addManyToOutbox(manager, topic, [event]);
  return eventId;
}

/**
 * Adds many events of one topic to the outbox with a single INSERT (one round trip however many
 * events), in the caller's transaction and in the given order. Each payload is validated as in
 * `addToOutbox`. An `eventId` given by the caller becomes the message's `event-id`, so a caller
 * can record it beside its own state; otherwise one is generated. Returns the event ids in order.
 */
export async function addManyToOutbox<T extends LiveTopic>(
  manager: EntityManager,
  topic: T,
  events: (OutgoingEvent<T> & { eventId?: string })[],
): Promise<string[]> {
  if (events.length === 0) return [];
  const trace = currentTraceHeaders();
  const producedAt = new Date().toISOString();
  const rows = events.map((event) => {
    assertValidEvent(topic, event.payload);
    const eventId = event.eventId ?? randomUUID();
    return {
      event_id: eventId,
      message_key: event.key,
      payload: event.payload,
      headers: {
        ...trace,
        [HEADERS.eventId]: eventId,
        [HEADERS.tenantId]: event.tenantId,
        [HEADERS.schema]: topic,
        [HEADERS.producedAt]: producedAt,
      },
    };
  });
  const table = manager.connection.getMetadata(OutboxMessage).tablePath;
  await manager.query(
    `insert into ${table} (event_id, topic, message_key, payload, headers)
     select r.event_id, $1, r.message_key, r.payload, r.headers
       from rows from (jsonb_to_recordset($2::jsonb) as (event_id uuid, message_key text, payload jsonb, headers jsonb))
            with ordinality as r(event_id, message_key, payload, headers, n)
      order by r.n`,
    [topic, JSON.stringify(rows)],
  );
  for (const listener of writeListeners) listener();
  return rows.map((row) => row.event_id);
}
