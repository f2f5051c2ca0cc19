import './pooled-encoder-fix';
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type KafkaConfig,
  type LogEntry,
} from 'kafkajs';
import type { Logger } from 'pino';
import { fixIdleRequestQueueTimer } from './request-queue-fix';

fixIdleRequestQueueTimer();

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

/**
 * kafkajs warns that bounded retries "may invalidate EoS guarantees" of the idempotent producer.
 * We bound them on purpose (a send must fail rather than hang); duplicates that a retry after a
 * timeout can cause are removed by the consumers' event-id deduplication.
 */
const BENIGN_WARNINGS = ['Limiting retries for the idempotent producer'];

/**
 * kafkajs' client whose consumers wait 1 s for data on an idle fetch (kafkajs' default is 5 s). A
 * consumer's disconnect waits for its fetch in flight, so this bounds how long a service takes to
 * stop; an idle consumer then polls once a second, which costs next to nothing.
 */
export class KafkaClient extends Kafka {
  override consumer(config: ConsumerConfig): Consumer {
    return super.consumer({ maxWaitTimeInMs: 1_000, ...config });
  }
}

/** One kafkajs client per service; kafkajs' own log lines go to the service's JSON log. */
export function createKafka(
  { brokers, clientId, logger }: KafkaSettings,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new KafkaClient({
    clientId,
    brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else if (level === logLevel.WARN && !BENIGN_WARNINGS.some((w) => message.startsWith(w)))
          log.warn(rest, message);
        else log.debug(rest, message);
      },
    ...overrides,
  });
}

/**
 * Creates the given topics when missing (broker auto-creation is off: every topic comes from the
 * declared list). Safe when several services race to create the same topic.
 */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  partitions: number,
  replicationFactor: number,
): Promise<string[]> {
  const wanted = [...new Set(topics)];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length) {
    try {
      // Leaders are awaited below, with retries: kafkajs' own wait gives up with "does not host
      // this topic-partition" when several services create the same topics at once.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
      });
    } catch (error) {
      const errors = (error as { errors?: { type?: string }[] }).errors ?? [];
      const racedOnly = errors.length > 0 && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
      if (!racedOnly && (error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
  }
  await waitForLeaders(admin, wanted);
  return missing;
}

/**
 * A topic another service created a moment ago may not have partition leaders yet. A fresh broker
 * on a loaded machine, with six services creating their topics at once, took over 30 s: a service
 * waits up to two minutes rather than exit at start-up. With `partitions`, also until each topic
 * shows at least that many: the broker's metadata shows added partitions a moment after it accepted
 * them, and a consumer joining before then is assigned the old ones only.
 */
export async function waitForLeaders(
  admin: Admin,
  topics: string[],
  { partitions = 1, timeoutMs = 120_000 }: { partitions?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (
        metadata.every((t) => t.partitions.length >= partitions && t.partitions.every((p) => p.leader >= 0))
      ) {
        // The metadata can name a leader that still answers "not the leader" to ListOffsets; a
        // consumer started then fails its first offset lookups and rejoins its group, backing off.
        await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `topics without ${partitions} partition(s) with leaders after ${timeoutMs} ms: ${topics.join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
