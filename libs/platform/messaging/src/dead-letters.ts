import './pooled-encoder-fix';
import { randomUUID } from 'node:crypto';
import { Partitioners, type IHeaders, type Kafka } from 'kafkajs';
import { HEADERS, type TopicNames } from './topics';

export interface ReplayRequest {
  kafka: Kafka;
  topics: TopicNames;
  /** Catalogue name of the topic whose dead letters to re-drive, e.g. `ingestion.ping.recorded.v1`. */
  topic: string;
  /** The consumer group (service) that dead-lettered them. */
  service: string;
  /** Only these events (by `event-id`); otherwise every dead letter not replayed before. */
  eventIds?: string[];
  timeoutMs?: number;
}

/**
 * Re-drives dead letters to the group's retry topic with a fresh attempt count, after whatever
 * made them fail has been fixed. Only that group sees them again, and its processed-event records
 * make a second replay harmless. A full replay remembers its position (group
 * `<group>.dlt-replay`); a replay of chosen events reads the whole dead-letter topic.
 */
export async function replayDeadLetters(
  request: ReplayRequest,
): Promise<{ replayed: number; eventIds: string[] }> {
  const { kafka, topics, topic, service } = request;
  const source = topics.deadLetter(topic, service);
  const target = topics.retry(topic, service);
  const admin = kafka.admin();
  const wanted = request.eventIds ? new Set(request.eventIds) : undefined;
  const groupId = wanted
    ? `${topics.group(service)}.dlt-replay.${randomUUID()}`
    : `${topics.group(service)}.dlt-replay`;
  // Where the topic ends now, and where this replay group stopped last time: partitions already
  // replayed to their end count as done from the start (they will deliver nothing).
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(source)).map((p) => [p.partition, BigInt(p.high)]));
  const [committed] = await admin.fetchOffsets({ groupId, topics: [source] });
  await admin.disconnect();
  const position = new Map<number, bigint>();
  for (const { partition, offset } of committed?.partitions ?? []) {
    if (offset !== '-1' && BigInt(offset) >= (ends.get(partition) ?? 0n))
      position.set(partition, BigInt(offset) - 1n);
  }
  const consumer = kafka.consumer({ groupId });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await Promise.all([consumer.connect(), producer.connect()]);
  const replayed: string[] = [];
  try {
    await consumer.subscribe({ topic: source, fromBeginning: true });
    const caughtUp = () => [...ends].every(([p, end]) => (position.get(p) ?? -1n) + 1n >= end || end === 0n);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`replay of ${source} did not reach the end within the timeout`)),
        request.timeoutMs ?? 60_000,
      );
      const finishIfDone = () => {
        if (caughtUp()) {
          clearTimeout(timer);
          resolve();
        }
      };
      finishIfDone();
      // Nothing to read: starting the consumer now would race the disconnect below and leave it
      // joining the group (and heartbeating) after the replay has returned.
      if (caughtUp()) return;
      consumer
        .run({
          autoCommit: true,
          eachMessage: async ({ partition, message }) => {
            if (BigInt(message.offset) < (ends.get(partition) ?? 0n)) {
              const headers = plainHeaders(message.headers);
              if (!wanted || wanted.has(headers[HEADERS.eventId])) {
                delete headers[HEADERS.dltAttempts];
                delete headers[HEADERS.dltFailedAt];
                await producer.send({
                  topic: target,
                  acks: -1,
                  messages: [
                    {
                      key: message.key,
                      value: message.value,
                      headers: {
                        ...headers,
                        [HEADERS.retryAttempt]: '0',
                        [HEADERS.retryAt]: new Date().toISOString(),
                      },
                    },
                  ],
                });
                replayed.push(headers[HEADERS.eventId]);
              }
            }
            position.set(partition, BigInt(message.offset));
            finishIfDone();
          },
        })
        .catch(reject);
    });
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  }
  return { replayed: replayed.length, eventIds: replayed };
}

function plainHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]),
  );
}
