import type { EventPayloads, LiveTopic } from '@sextant/contracts';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface TestEvent<T extends LiveTopic> {
  payload: EventPayloads[T];
  tenantId: string;
  /** Reuse an id to simulate a redelivery; a new one otherwise. */
  eventId?: string;
  key?: string;
}

/**
 * Produces events straight to a run's topic with the headers every Sextant message carries
 * (event-id, tenant-id, schema, produced-at), as a producer service's outbox relay would: for
 * consumer tests that should not depend on the producing service. Returns the event ids used.
 */
export async function produceEvents<T extends LiveTopic>(
  producer: Producer,
  topicPrefix: string,
  topic: T,
  events: TestEvent<T>[],
): Promise<string[]> {
  const ids = events.map((e) => e.eventId ?? randomUUID());
  for (let i = 0; i < events.length; i += 500)
    await producer.send({
      topic: `${topicPrefix}${topic}`,
      acks: -1,
      messages: events.slice(i, i + 500).map((event, j) => ({
        key: event.key ?? event.tenantId,
        value: JSON.stringify(event.payload),
        headers: {
          'event-id': ids[i + j],
          'tenant-id': event.tenantId,
          schema: topic,
          'produced-at': new Date().toISOString(),
        },
      })),
    });
  return ids;
}
