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
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventConsumerHost, type EventHandlers, type EventSubscriber } from './event-consumer';
import { createKafka, ensureTopics } from './kafka';
import { OutboxRelay } from './outbox-relay';
import { liveTopics, TopicNames } from './topics';

export interface MessagingOptions {
  service: string;
  brokers: string[];
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  maxAttempts: number;
  retryBackoffMs: number;
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
  readonly producer: Producer;
  private relay?: OutboxRelay;
  private consumers?: EventConsumerHost;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(KAFKA) readonly kafka: Kafka,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly dataSource?: DataSource,
  ) {
    this.topics = new TopicNames(options.topicPrefix);
    this.admin = kafka.admin();
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async onApplicationBootstrap() {
    const { options } = this;
    await Promise.all([this.admin.connect(), this.producer.connect()]);
    const handlers: EventHandlers = Object.assign(
      {},
      ...options.subscribers.map((type) => this.moduleRef.get(type, { strict: false }).eventHandlers()),
    );
    if (this.dataSource) {
      const outcomes = new Counter({
        name: 'messaging_consumed_total',
        help: 'Messages handled by the consumer group, by outcome',
        labelNames: ['topic', 'outcome'],
        registers: [options.metrics],
      });
      this.consumers = new EventConsumerHost({
        kafka: this.kafka,
        producer: this.producer,
        dataSource: this.dataSource,
        topics: this.topics,
        service: options.service,
        handlers,
        logger: options.logger.child({ component: 'consumer' }),
        maxAttempts: options.maxAttempts,
        retryBackoffMs: options.retryBackoffMs,
        onOutcome: (outcome, topic) => outcomes.inc({ topic, outcome }),
      });
    }
    const created = await ensureTopics(
      this.admin,
      [...liveTopics().map((t) => this.topics.topic(t.topic)), ...(this.consumers?.declaredTopics() ?? [])],
      options.partitions,
      options.replicationFactor,
    );
    if (created.length) options.logger.info({ topics: created }, 'topics created');
    if (this.dataSource && options.outbox) {
      this.relay = new OutboxRelay({
        dataSource: this.dataSource,
        producer: this.producer,
        topics: this.topics,
        logger: options.logger.child({ component: 'outbox-relay' }),
        ...options.outbox,
      });
      this.relay.start();
    }
    await this.consumers?.start();
  }

  /** Readiness: the broker answers. */
  async check(): Promise<void> {
    await this.admin.describeCluster();
  }

  async onApplicationShutdown() {
    await this.consumers?.stop();
    await this.relay?.stop();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
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
