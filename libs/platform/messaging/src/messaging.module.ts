import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Admin, Kafka } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  type BatchEventHandlers,
  EventConsumerHost,
  type EventHandlers,
  type EventSubscriber,
} from './event-consumer';
import { createKafka, ensureTopics } from './kafka';
import { OutboxRelay } from './outbox-relay';
import { idempotentProducer, RenewableProducer } from './renewable-producer';
import { liveTopics, TopicNames } from './topics';

export interface MessagingOptions {
  service: string;
  brokers: string[];
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  maxAttempts: number;
  retryBackoffMs: number;
  sessionTimeoutMs: number;
  outbox?: { batchSize: number; pollIntervalMs: number };
  subscribers: Type<EventSubscriber>[];
  logger: Logger;
  metrics: Registry;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const KAFKA = Symbol('KAFKA');

/** Kafka for one service: topics created at start-up, the outbox relay, the consumer group. */
@Injectable()
export class Messaging implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly topics: TopicNames;
  readonly admin: Admin;
  /** Forwards failed events to the retry and dead-letter topics. */
  private readonly producer: RenewableProducer;
  private relay?: OutboxRelay;
  private relayProducer?: RenewableProducer;
  private consumers?: EventConsumerHost;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(KAFKA) readonly kafka: Kafka,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly dataSource?: DataSource,
  ) {
    this.topics = new TopicNames(options.topicPrefix);
    this.admin = kafka.admin();
    this.producer = new RenewableProducer(
      () => idempotentProducer(kafka),
      options.logger.child({ component: 'consumer-producer' }),
    );
  }

  async onApplicationBootstrap() {
    const { options } = this;
    await Promise.all([this.admin.connect(), this.producer.connect()]);
    const subscribers = options.subscribers.map((type) => this.moduleRef.get(type, { strict: false }));
    const handlers: EventHandlers = Object.assign({}, ...subscribers.map((s) => s.eventHandlers()));
    const batchHandlers: BatchEventHandlers = Object.assign(
      {},
      ...subscribers.map((s) => s.batchEventHandlers?.() ?? {}),
    );
    if (this.dataSource) {
      const outcomes = new Counter({
        name: 'messaging_consumed_total',
        help: 'Messages handled by the consumer group, by outcome',
        labelNames: ['topic', 'outcome'],
        registers: [options.metrics],
      });
      const crashes = new Counter({
        name: 'messaging_consumer_crashes_total',
        help: 'Consumer crashes, by who restarts the consumer (kafkajs, or the host when kafkajs gives up)',
        labelNames: ['restarted_by'],
        registers: [options.metrics],
      });
      this.consumers = new EventConsumerHost({
        kafka: this.kafka,
        producer: this.producer,
        dataSource: this.dataSource,
        topics: this.topics,
        service: options.service,
        handlers,
        batchHandlers,
        logger: options.logger.child({ component: 'consumer' }),
        maxAttempts: options.maxAttempts,
        retryBackoffMs: options.retryBackoffMs,
        sessionTimeoutMs: options.sessionTimeoutMs,
        onOutcome: (outcome, topic) => outcomes.inc({ topic, outcome }),
        onCrash: (restartedBy) => crashes.inc({ restarted_by: restartedBy }),
      });
    }
    this.registerBacklogGauges(this.consumers?.subscribedTopics ?? []);
    const created = await ensureTopics(
      this.admin,
      [...liveTopics().map((t) => this.topics.topic(t.topic)), ...(this.consumers?.declaredTopics() ?? [])],
      options.partitions,
      options.replicationFactor,
    );
    if (created.length) options.logger.info({ topics: created }, 'topics created');
    if (this.dataSource && options.outbox) {
      const logger = options.logger.child({ component: 'outbox-relay' });
      this.relayProducer = new RenewableProducer(() => idempotentProducer(this.kafka), logger);
      await this.relayProducer.connect();
      this.relay = new OutboxRelay({
        dataSource: this.dataSource,
        producer: this.relayProducer,
        topics: this.topics,
        logger,
        ...options.outbox,
      });
      this.relay.start();
    }
    await this.consumers?.start();
  }

  /**
   * Backlogs, measured when Prometheus scrapes: outbox events not yet relayed, and the consumer
   * group's lag (log-end offset minus committed offset) per subscribed topic.
   */
  private registerBacklogGauges(subscribed: string[]): void {
    const { options, dataSource, admin, topics } = this;
    if (dataSource && options.outbox) {
      new Gauge({
        name: 'messaging_outbox_pending',
        help: 'Outbox events written but not yet published to Kafka',
        registers: [options.metrics],
        async collect() {
          const schema = dataSource.driver.schema ?? 'public';
          const [{ count }] = await dataSource.query(
            `select coalesce(sum(coalesce(message_count, 1)), 0)::int as count from "${schema}"."outbox"`,
          );
          this.set(count);
        },
      });
    }
    if (subscribed.length === 0) return;
    new Gauge({
      name: 'messaging_consumer_lag',
      help: "Messages not yet consumed by this service's consumer group, per topic",
      labelNames: ['topic'],
      registers: [options.metrics],
      async collect() {
        const groupId = topics.group(options.service);
        const committed = await admin.fetchOffsets({
          groupId,
          topics: subscribed.map((t) => topics.topic(t)),
        });
        for (const { topic, partitions } of committed) {
          const ends = await admin.fetchTopicOffsets(topic);
          const lag = ends.reduce((sum, end) => {
            const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
            return sum + Math.max(0, Number(end.high) - Math.max(offset, Number(end.low)));
          }, 0);
          this.set({ topic: topics.unprefixed(topic) }, lag);
        }
      },
    });
  }

  /** Readiness: the broker answers. */
  async check(): Promise<void> {
    await this.admin.describeCluster();
  }

  async onApplicationShutdown() {
    await this.consumers?.stop();
    await this.relay?.stop();
    await Promise.allSettled([
      this.producer.disconnect(),
      this.relayProducer?.disconnect(),
      this.admin.disconnect(),
    ]);
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forService(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({ brokers: options.brokers, clientId: options.service, logger: options.logger }),
        },
        Messaging,
      ],
      exports: [Messaging, KAFKA],
    };
  }
}
