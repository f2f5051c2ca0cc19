import type { EventPayloads, LiveTopic } from '@sextant/contracts';
import { preparedQuery } from '@sextant/platform/database';
import { currentTraceHeaders } from '@sextant/platform/telemetry';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { assertValidEvent } from './event-validation';
import { OutboxRow, type OutboxMessage } from './messaging.entities';
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
 * Adds many events of one topic to the outbox as one row (one round trip and one row however many
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
  const messages = events.map((event): OutboxMessage => {
    assertValidEvent(topic, event.payload);
    const eventId = event.eventId ?? randomUUID();
    return {
      eventId,
      key: event.key,
      headers: {
        ...trace,
        [HEADERS.eventId]: eventId,
        [HEADERS.tenantId]: event.tenantId,
        [HEADERS.schema]: topic,
        [HEADERS.producedAt]: producedAt,
      },
      value: JSON.stringify(event.payload),
    };
  });
  // Prepared: unnamed, PostgreSQL planned it at every call with the ~150 KB of messages as a
  // constant, copying it into fresh memory several times (2-4 ms per insert against 0.85 ms).
  const table = manager.connection.getMetadata(OutboxRow).tablePath;
  await preparedQuery(manager, `insert into ${table} (topic, messages, message_count) values ($1, $2, $3)`, [
    topic,
    JSON.stringify(messages),
    messages.length,
  ]);
  for (const listener of writeListeners) listener();
  return messages.map((message) => message.eventId);
}
