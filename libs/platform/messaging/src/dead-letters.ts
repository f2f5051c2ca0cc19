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
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(source)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();

  const wanted = request.eventIds ? new Set(request.eventIds) : undefined;
  const groupId = wanted
    ? `${topics.group(service)}.dlt-replay.${randomUUID()}`
    : `${topics.group(service)}.dlt-replay`;
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
    const position = new Map<number, bigint>();
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
      consumer.on(consumer.events.GROUP_JOIN, async () => {
        for (const [partition, end] of ends) {
          const committed = await committedOffset(kafka, groupId, source, partition);
          if (committed >= end) position.set(partition, end - 1n);
        }
        finishIfDone();
      });
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

async function committedOffset(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const found = offsets.partitions.find((p) => p.partition === partition);
    return found && found.offset !== '-1' ? BigInt(found.offset) : 0n;
  } finally {
    await admin.disconnect();
  }
}

function plainHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]),
  );
}
