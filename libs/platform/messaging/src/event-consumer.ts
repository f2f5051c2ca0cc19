import type { EventPayloads, LiveTopic } from '@sextant/contracts';
import { contextFromHeaders, inSpan, SpanKind } from '@sextant/platform/telemetry';
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { isUuid, withTenant } from '@sextant/platform/database';
import { isTransientDatabaseError } from '@sextant/platform/http';
import { assertValidEvent, EventValidationError } from './event-validation';
import type { RenewableProducer } from './renewable-producer';
import { HEADERS, type TopicNames } from './topics';

export interface EventContext {
  /** The tenant-scoped transaction the effects must be written in. */
  manager: EntityManager;
  tenantId: string;
  eventId: string;
  topic: LiveTopic;
  headers: Record<string, string>;
}

export type EventHandler<T extends LiveTopic> = (
  payload: EventPayloads[T],
  context: EventContext,
) => Promise<void>;
export type EventHandlers = { [T in LiveTopic]?: EventHandler<T> };

/**
 * Applies many events of one tenant (new ones only, in offset order) in one transaction. A topic
 * with a batch handler must also have a per-event handler: a batch that fails is retried event by
 * event, so one bad event is retried or dead-lettered on its own.
 */
export type BatchEventHandler<T extends LiveTopic> = (
  payloads: EventPayloads[T][],
  context: Omit<EventContext, 'eventId' | 'headers'>,
) => Promise<void>;
export type BatchEventHandlers = { [T in LiveTopic]?: BatchEventHandler<T> };

/**
 * Events per batch transaction (fewer when Kafka hands over fewer). Each tenant's share of a chunk
 * costs a fixed dozen statements, so with many tenants a larger chunk is what keeps up.
 */
const BATCH_SIZE = 5_000;
/**
 * Tenants of a chunk whose transactions run at once (on as many pool connections): each is a dozen
 * short statements, and one after another the consumer mostly waited on round trips.
 */
const TENANT_TRANSACTIONS_AT_ONCE = 4;
/** How long a consumer waits before trying an event again while the database is unavailable. */
const DATABASE_WAIT_MS = { first: 500, max: 10_000 };
/**
 * How long the host waits before starting again a consumer kafkajs gave up on: doubling while it
 * keeps crashing, from the first again once it ran `calm` without a crash.
 */
const RESTART_WAIT_MS = { first: 1_000, max: 30_000, calm: 300_000 };
/** Fetch sizes that let a partition hand over a whole chunk of ~1 KB events at once. */
const FETCH = { maxBytesPerPartition: 8 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 };

/** A class that applies events; the messaging module subscribes the service's group to its topics. */
export interface EventSubscriber {
  eventHandlers(): EventHandlers;
  /** High-volume topics whose events are cheaper applied many at a time. */
  batchEventHandlers?(): BatchEventHandlers;
}

/** A failure retrying cannot fix: the message goes to the dead-letter topic at once. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

export interface EventConsumerHostOptions {
  kafka: Kafka;
  /** Sends to the retry and dead-letter topics. */
  producer: RenewableProducer;
  dataSource: DataSource;
  topics: TopicNames;
  service: string;
  /**
   * Kafka consumer group, when not the service's own (a replay under a fresh group that still
   * records processed events under the service's name, so live and replay deduplicate together).
   */
  groupId?: string;
  handlers: EventHandlers;
  batchHandlers?: BatchEventHandlers;
  logger: Logger;
  maxAttempts: number;
  retryBackoffMs: number;
  /** Kafka session timeout of both groups (default 30 s); heartbeats go at a third of it, at most every 3 s. */
  sessionTimeoutMs?: number;
  onOutcome?: (outcome: 'applied' | 'duplicate' | 'retried' | 'dead_lettered', topic: string) => void;
  /** A consumer crashed; `restartedBy` says whether kafkajs restarts it or this host does. */
  onCrash?: (restartedBy: 'kafkajs' | 'host') => void;
}

type Outcome = 'applied' | 'duplicate';

interface Parsed {
  message: KafkaMessage;
  eventId: string;
  tenantId: string;
  payload: unknown;
}

/**
 * Runs the service's consumer group. Each message is applied in one database transaction that
 * also records its `event-id` (a redelivery changes nothing), and offsets are committed only after
 * that transaction; on a topic with a batch handler, each tenant's share of up to BATCH_SIZE
 * messages shares one such transaction. A failing message is re-published to `<topic>.<group>.retry` (a second
 * consumer waits out the backoff there, so the main partition keeps moving) and after
 * `maxAttempts` to `<topic>.<group>.dlt` with where it came from and why it failed. Messages that
 * cannot be applied however often they are tried (bad headers, payload off its schema) go straight
 * to the dead-letter topic.
 */
export class EventConsumerHost {
  private main?: Consumer;
  private retry?: Consumer;
  private stopping = false;

  constructor(private readonly options: EventConsumerHostOptions) {}

  get subscribedTopics(): LiveTopic[] {
    return Object.keys(this.options.handlers) as LiveTopic[];
  }

  /** Every topic this host reads or writes, for creation at start-up. */
  declaredTopics(): string[] {
    const { topics, service } = this.options;
    return this.subscribedTopics.flatMap((t) => [
      topics.topic(t),
      topics.retry(t, service),
      topics.deadLetter(t, service),
    ]);
  }

  async start(): Promise<void> {
    if (this.subscribedTopics.length === 0) return;
    const { kafka, topics, service } = this.options;
    const groupId = this.options.groupId ?? topics.group(service);
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    const timing = { sessionTimeout, heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)) };
    this.main = kafka.consumer({ groupId, ...timing, ...FETCH });
    this.retry = kafka.consumer({ groupId: `${groupId}.retry`, ...timing });
    await Promise.all([this.main.connect(), this.retry.connect()]);
    // A topic created a moment ago (by this or another service) can still be without a leader in
    // the metadata the consumer reads: retry briefly rather than fail the start.
    await retryTransient(() =>
      this.main!.subscribe({
        topics: this.subscribedTopics.map((t) => topics.topic(t)),
        fromBeginning: true,
      }),
    );
    await retryTransient(() =>
      this.retry!.subscribe({
        topics: this.subscribedTopics.map((t) => topics.retry(t, service)),
        fromBeginning: true,
      }),
    );
    this.restartAfterCrash(this.main, false);
    this.restartAfterCrash(this.retry, true);
    await this.run(this.main, false);
    await this.run(this.retry, true);
  }

  /**
   * kafkajs restarts a consumer after a retriable error only; after any other (a bug's TypeError
   * in this host, a non-retriable broker answer) it leaves the consumer stopped for good and the
   * service would stop consuming while it looks healthy. This host starts such a consumer again,
   * waiting longer each time it keeps crashing; uncommitted messages are fetched again.
   */
  private restartAfterCrash(consumer: Consumer, isRetry: boolean): void {
    let wait = RESTART_WAIT_MS.first;
    let lastCrash = 0;
    const later = (fn: () => Promise<void>) => {
      setTimeout(() => void fn(), wait).unref();
      wait = Math.min(RESTART_WAIT_MS.max, wait * 2);
    };
    const restart = async () => {
      if (this.stopping) return;
      try {
        await consumer.connect();
        await this.run(consumer, isRetry);
      } catch (error) {
        this.options.logger.error({ err: error }, 'consumer restart failed; trying again');
        later(restart);
      }
    };
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      this.options.onCrash?.(payload.restart ? 'kafkajs' : 'host');
      if (payload.restart) return;
      if (Date.now() - lastCrash > RESTART_WAIT_MS.calm) wait = RESTART_WAIT_MS.first;
      lastCrash = Date.now();
      this.options.logger.error(
        { err: payload.error, groupId: payload.groupId, restartInMs: wait },
        'consumer crashed and kafkajs will not restart it; restarting it here',
      );
      later(restart);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.main?.disconnect(), this.retry?.disconnect()]);
  }

  private async run(consumer: Consumer, isRetry: boolean): Promise<void> {
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        let last: string | undefined;
        const batched =
          !isRetry && this.options.batchHandlers?.[this.catalogueTopic(batch.topic) as LiveTopic];
        for (let i = 0; batched && i < batch.messages.length; i += BATCH_SIZE) {
          if (!isRunning() || isStale() || this.stopping) break;
          const chunk = batch.messages.slice(i, i + BATCH_SIZE);
          await this.handleMany(batch.topic, batch.partition, chunk, heartbeat);
          last = chunk[chunk.length - 1].offset;
          resolveOffset(last);
          await heartbeat();
        }
        for (const message of batched ? [] : batch.messages) {
          if (!isRunning() || isStale() || this.stopping) break;
          if (isRetry) await this.waitUntilDue(message, heartbeat, isRunning);
          if (!isRunning() || this.stopping) break;
          await this.handle(batch.topic, batch.partition, message, heartbeat);
          resolveOffset(message.offset);
          last = message.offset;
          await heartbeat();
        }
        if (last !== undefined) {
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
        }
      },
    });
  }

  private async waitUntilDue(
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ) {
    const due = Date.parse(header(message.headers, HEADERS.retryAt) ?? '') || 0;
    while (Date.now() < due && isRunning() && !this.stopping) {
      await sleep(Math.min(1_000, due - Date.now()));
      await heartbeat();
    }
  }

  /**
   * Applies, retries or dead-letters one message; throws only when Kafka itself fails, or when the
   * consumer stops while waiting for the database. While the database is unreachable (or the
   * transaction lost a deadlock) the message is tried again in place, without using up an attempt:
   * an outage says nothing about the message, and every message behind it would fail the same way.
   */
  private async handle(
    kafkaTopic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat?: () => Promise<void>,
  ): Promise<void> {
    const { topics, service } = this.options;
    const headers = stringHeaders(message.headers);
    const topic = this.catalogueTopic(kafkaTopic);
    const attempt = Number(headers[HEADERS.retryAttempt] ?? 0) + 1;
    for (let pause = DATABASE_WAIT_MS.first; ; pause = Math.min(DATABASE_WAIT_MS.max, pause * 2)) {
      try {
        const outcome = await inSpan(
          `${topic} process`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextFromHeaders(headers),
            attributes: {
              'messaging.system': 'kafka',
              'messaging.destination.name': kafkaTopic,
              'messaging.consumer.group.name': topics.group(service),
            },
          },
          () => this.apply(topic, message, headers),
        );
        this.options.onOutcome?.(outcome, topic);
        return;
      } catch (error) {
        if (!isTransientDatabaseError(error)) {
          await this.retryOrDeadLetter(kafkaTopic, partition, message, headers, attempt, error);
          return;
        }
        this.options.logger.warn(
          { err: error, topic, eventId: headers[HEADERS.eventId], pauseMs: pause },
          'database unavailable; trying the event again in place',
        );
        await sleep(pause);
        if (this.stopping) throw new Error('consumer stopped while waiting for the database');
        await heartbeat?.();
      }
    }
  }

  private async retryOrDeadLetter(
    kafkaTopic: string,
    partition: number,
    message: KafkaMessage,
    headers: Record<string, string>,
    attempt: number,
    error: unknown,
  ): Promise<void> {
    const { topics, service } = this.options;
    const topic = this.catalogueTopic(kafkaTopic);
    const origin = {
      [HEADERS.originalTopic]: headers[HEADERS.originalTopic] ?? kafkaTopic,
      [HEADERS.originalPartition]: headers[HEADERS.originalPartition] ?? String(partition),
      [HEADERS.originalOffset]: headers[HEADERS.originalOffset] ?? message.offset,
      [HEADERS.lastError]: truncate((error as Error).message, 1_000),
    };
    const retryable = !(error instanceof NonRetryableError || error instanceof EventValidationError);
    if (retryable && attempt < this.options.maxAttempts) {
      const delay = this.options.retryBackoffMs * 2 ** (attempt - 1);
      await this.forward(topics.retry(topic, service), message, {
        ...headers,
        ...origin,
        [HEADERS.retryAttempt]: String(attempt),
        [HEADERS.retryAt]: new Date(Date.now() + delay).toISOString(),
      });
      this.options.logger.warn(
        { err: error, topic, eventId: headers[HEADERS.eventId], attempt },
        'event failed; scheduled for retry',
      );
      this.options.onOutcome?.('retried', topic);
    } else {
      const { [HEADERS.retryAttempt]: _a, [HEADERS.retryAt]: _b, ...kept } = headers;
      await this.forward(topics.deadLetter(topic, service), message, {
        ...kept,
        ...origin,
        [HEADERS.dltAttempts]: String(attempt),
        [HEADERS.dltFailedAt]: new Date().toISOString(),
      });
      this.options.logger.error(
        { err: error, topic, eventId: headers[HEADERS.eventId], attempt },
        'event dead-lettered',
      );
      this.options.onOutcome?.('dead_lettered', topic);
    }
  }

  /**
   * Applies a chunk of one partition: each tenant's valid events in one transaction with the
   * batch handler. Invalid messages, and the events of a tenant whose batch failed, go through
   * handle() one by one (retry and dead-letter as usual; redeliveries are still deduplicated).
   */
  private async handleMany(
    kafkaTopic: string,
    partition: number,
    messages: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ) {
    const topic = this.catalogueTopic(kafkaTopic) as LiveTopic;
    const handler = this.options.batchHandlers![topic] as BatchEventHandler<LiveTopic>;
    const byTenant = new Map<string, Parsed[]>();
    const oneByOne: KafkaMessage[] = [];
    for (const message of messages) {
      try {
        const parsed = this.parse(topic, message, stringHeaders(message.headers));
        const events = byTenant.get(parsed.tenantId) ?? [];
        byTenant.set(parsed.tenantId, events);
        events.push(parsed);
      } catch {
        oneByOne.push(message);
      }
    }
    await inParallel([...byTenant], TENANT_TRANSACTIONS_AT_ONCE, async ([tenantId, events]) => {
      try {
        const applied = await inSpan(
          `${topic} process batch`,
          {
            kind: SpanKind.CONSUMER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.destination.name': kafkaTopic,
              'messaging.consumer.group.name': this.options.topics.group(this.options.service),
              'messaging.batch.message_count': events.length,
            },
          },
          () =>
            withTenant(this.options.dataSource, tenantId, async (manager) => {
              const recorded: { event_id: string }[] = await manager.query(
                `insert into processed_events (consumer_group, event_id, tenant_id, topic)
                 select $1, id, $2, $3 from unnest($4::uuid[]) as id on conflict do nothing returning event_id`,
                [this.options.service, tenantId, topic, events.map((e) => e.eventId)],
              );
              const fresh = new Set(recorded.map((r) => r.event_id));
              // A redelivery inside the chunk carries an id already taken by its first copy.
              const todo = events.filter((e) => fresh.delete(e.eventId.toLowerCase()));
              if (todo.length)
                await handler(
                  todo.map((e) => e.payload as EventPayloads[LiveTopic]),
                  { manager, tenantId, topic },
                );
              return todo.length;
            }),
        );
        for (let i = 0; i < events.length; i++)
          this.options.onOutcome?.(i < applied ? 'applied' : 'duplicate', topic);
      } catch (error) {
        this.options.logger.warn(
          { err: error, topic, tenantId, events: events.length },
          'event batch failed; applying its events one by one',
        );
        oneByOne.push(...events.map((e) => e.message));
      }
      // A chunk of many tenants can outlast the session timeout (kafkajs sends at most one
      // heartbeat per interval, so this is cheap).
      await heartbeat();
    });
    for (const message of oneByOne) await this.handle(kafkaTopic, partition, message, heartbeat);
  }

  /** The checked headers and payload of a message (NonRetryableError/EventValidationError if not). */
  private parse(topic: string, message: KafkaMessage, headers: Record<string, string>): Parsed {
    const eventId = headers[HEADERS.eventId];
    const tenantId = headers[HEADERS.tenantId];
    if (!eventId || !tenantId)
      throw new NonRetryableError(
        `message lacks the ${!eventId ? HEADERS.eventId : HEADERS.tenantId} header`,
      );
    if (!this.options.handlers[topic as LiveTopic]) throw new NonRetryableError(`no handler for ${topic}`);
    let payload: unknown;
    try {
      payload = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      throw new NonRetryableError('payload is not JSON');
    }
    assertValidEvent(topic, payload);
    if (!isUuid(tenantId) || !isUuid(eventId))
      throw new NonRetryableError('event-id and tenant-id headers must be UUIDs');
    return { message, eventId, tenantId, payload };
  }

  private async apply(
    topic: string,
    message: KafkaMessage,
    headers: Record<string, string>,
  ): Promise<Outcome> {
    const { eventId, tenantId, payload } = this.parse(topic, message, headers);
    const handler = this.options.handlers[topic as LiveTopic] as EventHandler<LiveTopic>;
    return withTenant(this.options.dataSource, tenantId, async (manager) => {
      const recorded = await manager.query(
        `insert into processed_events (consumer_group, event_id, tenant_id, topic) values ($1, $2, $3, $4)
         on conflict do nothing returning event_id`,
        [this.options.service, eventId, tenantId, topic],
      );
      if (recorded.length === 0) return 'duplicate';
      await handler(payload as EventPayloads[LiveTopic], {
        manager,
        tenantId,
        eventId,
        topic: topic as LiveTopic,
        headers,
      });
      return 'applied';
    });
  }

  private async forward(topic: string, message: KafkaMessage, headers: Record<string, string>) {
    try {
      await this.options.producer.send((producer) =>
        producer.send({ topic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] }),
      );
    } catch (error) {
      // kafkajs stops a consumer for good after an error it deems not retriable (a refused producer
      // is one); a plain error makes it try the batch again and then restart, so the message comes back.
      throw new Error(`could not forward the event to ${topic}`, { cause: error });
    }
  }

  private catalogueTopic(kafkaTopic: string): string {
    const name = this.options.topics.unprefixed(kafkaTopic);
    const suffix = `.${this.options.service}.retry`;
    return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
  }
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0]?.toString() : value.toString();
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = header(headers, name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

async function retryTransient<T>(attempt: () => Promise<T>, tries = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries || (error as { retriable?: boolean }).retriable === false) throw error;
      await sleep(300 * i);
    }
  }
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` over the items, at most `limit` at a time. After a failure no item is started; the
 * first error is thrown once those under way have ended.
 */
async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (failures.length === 0 && next < items.length) {
      try {
        await fn(items[next++]);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length) throw failures[0];
}
