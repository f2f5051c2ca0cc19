import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@sextant/platform/database';
import { OutboxRow, type OutboxMessage } from './messaging.entities';
import { onOutboxWrite } from './outbox';
import type { RenewableProducer } from './renewable-producer';
import type { TopicNames } from './topics';

/** The longest wait between two polls of an idle outbox: what a write by another replica can wait. */
export const IDLE_POLL_MAX_MS = 1_000;

/**
 * The most one produce request of the relay carries, in bytes of keys, values and headers. The
 * broker refuses a record batch over `message.max.bytes` (1 MiB by default) for one partition, and
 * a refused batch would be retried for ever; a request within this bound fits whatever partitions
 * its messages go to. A relay round larger than this is sent as several requests, in order.
 */
export const BATCH_BYTES = 900_000;

export interface OutboxRelayOptions {
  dataSource: DataSource;
  /** The relay's own: renewing it must not disconnect one that others send with. */
  producer: RenewableProducer;
  topics: TopicNames;
  logger: Logger;
  batchSize: number;
  /** Poll interval while there is work or a write was just made; idle, it doubles up to idlePollMaxMs. */
  pollIntervalMs: number;
  /** The longest wait between two polls of an idle outbox (default IDLE_POLL_MAX_MS). */
  idlePollMaxMs?: number;
  /** Fault injection for tests: runs after Kafka acknowledged a batch, before the removal of its rows commits. */
  afterPublish?: (eventIds: string[]) => Promise<void>;
}

/**
 * Publishes outbox events to Kafka in order and removes their rows in the same transaction. One relay
 * publishes at a time (a transaction-scoped advisory lock per schema), which keeps per-key order
 * across replicas. A crash after Kafka acknowledged but before the commit publishes the batch
 * again: delivery is at least once, and consumers deduplicate on `event-id`.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private written = false;
  private unsubscribe?: () => void;
  private readonly lockKey: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = hash32(`outbox:${options.dataSource.driver.schema ?? 'public'}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A write in this process is polled for after one short interval (by then it has usually
    // committed), not after the idle back-off.
    this.unsubscribe = onOutboxWrite(() => {
      if (this.written) return;
      this.written = true;
      setTimeout(() => this.wake?.(), this.options.pollIntervalMs).unref();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  /**
   * Publishes one batch; returns how many events were published. The statement that reads the rows
   * deletes them: should Kafka refuse any round of the batch, the transaction rolls back and they
   * stay (what was already sent goes again: consumers deduplicate on `event-id`).
   */
  async publishBatch(): Promise<number> {
    return this.options.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('select pg_try_advisory_xact_lock($1) as locked', [
        this.lockKey,
      ]);
      if (!locked) return 0;
      const messages = await this.takeNextMessages(manager);
      if (messages.length === 0) return 0;
      for (const round of inRounds(messages, BATCH_BYTES)) {
        await this.options.producer.send((producer) =>
          producer.sendBatch({
            acks: -1,
            topicMessages: groupByTopic(round).map(([topic, ofTopic]) => ({
              topic: this.options.topics.topic(topic),
              messages: ofTopic.map(({ key, value, headers }) => ({ key, value, headers })),
            })),
          }),
        );
      }
      await this.options.afterPublish?.(messages.map((message) => message.eventId));
      return messages.length;
    });
  }

  /**
   * The events of the oldest rows, which are deleted: the rows that hold at most `batchSize` events
   * together, or the first row alone if it holds more. A row of the previous release (one event,
   * `messages` null) is read in the same form.
   */
  private async takeNextMessages(manager: EntityManager): Promise<TopicMessage[]> {
    const table = manager.connection.getMetadata(OutboxRow).tablePath;
    const rows = await preparedQuery<{ position: string; topic: string; messages: string }>(
      manager,
      `with next as (
         select position, sum(coalesce(message_count, 1)) over (order by position) as events
           from ${table} order by position limit $1)
       delete from ${table} o using next
        where o.position = next.position and (next.events <= $1 or next.position = (select min(position) from next))
       returning o.position, o.topic, coalesce(o.messages, json_build_array(json_build_object('eventId', o.event_id,
                 'key', o.message_key, 'headers', o.headers, 'value', o.payload::text))::text) as messages`,
      [this.options.batchSize],
    );
    return rows
      .sort((a, b) => Number(a.position) - Number(b.position))
      .flatMap((row) =>
        (JSON.parse(row.messages) as OutboxMessage[]).map((message) => ({ ...message, topic: row.topic })),
      );
  }

  private async run(): Promise<void> {
    const { pollIntervalMs, idlePollMaxMs = IDLE_POLL_MAX_MS } = this.options;
    let failures = 0;
    let idleDelay = pollIntervalMs;
    while (this.running) {
      let published = 0;
      const writtenBefore = this.written;
      this.written = false;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        failures++;
        this.options.logger.error({ err: error, failures }, 'outbox relay round failed; retrying');
      }
      const active = published > 0 || writtenBefore || this.written;
      idleDelay = active ? pollIntervalMs : Math.min(idlePollMaxMs, idleDelay * 2);
      if (published < this.options.batchSize) {
        const delay = failures ? Math.min(5_000, pollIntervalMs * 2 ** failures) : idleDelay;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  }
}

type TopicMessage = OutboxMessage & { topic: string };

/** Consecutive runs of messages of at most `maxBytes` each (a larger message alone in its run). */
function inRounds(messages: TopicMessage[], maxBytes: number): TopicMessage[][] {
  const rounds: TopicMessage[][] = [];
  let round: TopicMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (round.length > 0 && bytes + size > maxBytes) {
      rounds.push(round);
      round = [];
      bytes = 0;
    }
    round.push(message);
    bytes += size;
  }
  if (round.length > 0) rounds.push(round);
  return rounds;
}

function messageBytes({ key, value, headers }: TopicMessage): number {
  let bytes = Buffer.byteLength(value) + Buffer.byteLength(key);
  for (const name in headers) bytes += name.length + Buffer.byteLength(headers[name]);
  return bytes;
}

function groupByTopic(messages: TopicMessage[]): [string, TopicMessage[]][] {
  const groups = new Map<string, TopicMessage[]>();
  for (const message of messages) {
    const group = groups.get(message.topic);
    if (group) group.push(message);
    else groups.set(message.topic, [message]);
  }
  return [...groups];
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
