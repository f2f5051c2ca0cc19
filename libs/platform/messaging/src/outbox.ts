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

/**
 * Adds an event to the outbox inside the caller's transaction, so it is published if and only if
 * the state change commits. The payload is validated against its contract here, at the source.
 */
export async function addToOutbox<T extends LiveTopic>(
  manager: EntityManager,
  topic: T,
  event: OutgoingEvent<T>,
): Promise<string> {
  assertValidEvent(topic, event.payload);
  const eventId = randomUUID();
  await manager.insert(OutboxMessage, {
    eventId,
    topic,
    key: event.key,
    payload: event.payload as unknown as object,
    headers: {
      ...currentTraceHeaders(),
      [HEADERS.eventId]: eventId,
      [HEADERS.tenantId]: event.tenantId,
      [HEADERS.schema]: topic,
      [HEADERS.producedAt]: new Date().toISOString(),
    },
  });
  return eventId;
}
