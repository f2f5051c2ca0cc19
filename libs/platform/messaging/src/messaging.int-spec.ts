import type { IngestionPingRecordedV1 } from '@sextant/contracts';
import { createServiceDataSource, withTenant } from '@sextant/platform/database';
import {
  eventually,
  produceEvents,
  quietLogger,
  serviceUrls,
  testEnvironment,
  testKafka,
} from '@sextant/testing';
import { KafkaJSProtocolError, Partitioners, type KafkaMessage, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { replayDeadLetters } from './dead-letters';
import { EventConsumerHost, type EventConsumerHostOptions } from './event-consumer';
import { ensureTopics, waitForLeaders } from './kafka';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { addToOutbox } from './outbox';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { RenewableProducer } from './renewable-producer';
import { HEADERS, TopicNames } from './topics';

// Real PostgreSQL and Kafka: ingestion's outbox -> relay -> Kafka -> a reporting consumer group.
const TOPIC = 'ingestion.ping.recorded.v1';
/** A topic no consumer of this test reads: the relay's own traffic. */
const UNREAD_TOPIC = 'ingestion.event.rejected.v1';
const SERVICE = 'reporting';

/**
 * A producer in the state kafkajs#598 leaves it in: the broker refuses every send, whatever is
 * retried. Then a real one: a RenewableProducer that starts with the first and renews to the second.
 */
function refusedThenRenewed(real: () => Producer, logger: ReturnType<typeof quietLogger>) {
  const counts = { refused: 0, made: 0 };
  const refuse = async () => {
    counts.refused++;
    throw new KafkaJSProtocolError({
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      code: 45,
      retriable: false,
      message: 'The broker received an out of order sequence number',
    } as unknown as Error);
  };
  const stale = { disconnect: async () => undefined, send: refuse, sendBatch: refuse } as unknown as Producer;
  return { counts, producer: new RenewableProducer(() => (counts.made++ === 0 ? stale : real()), logger) };
}

describe('outbox, relay and idempotent consumer (real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  const kafka = testKafka(env.brokers);
  const topics = new TopicNames(`${env.topicPrefix}msg-${randomUUID().slice(0, 8)}.`);
  const logger = quietLogger();
  const tenantId = randomUUID();
  let ingestion: DataSource;
  let reporting: DataSource;
  let producer: Producer;
  let renewable: RenewableProducer;
  let consumers: EventConsumerHost;
  let poisonCured = false;
  let outageFailures = 0;

  const relay = (
    options: Partial<Pick<OutboxRelayOptions, 'afterPublish' | 'idlePollMaxMs' | 'producer'>> = {},
  ) =>
    new OutboxRelay({
      dataSource: ingestion,
      producer: renewable,
      topics,
      logger,
      batchSize: 100,
      pollIntervalMs: 20,
      ...options,
    });
  const inOutbox = async (eventId: string): Promise<number> =>
    (
      await ingestion.query('select count(*)::int as n from outbox_messages where event_id = $1', [eventId])
    )[0].n;

  const recordPing = (note: string) =>
    withTenant(ingestion, tenantId, async (manager) => {
      const pingId = randomUUID();
      const payload: IngestionPingRecordedV1 = {
        pingId,
        tenantId,
        note,
        recordedAt: new Date().toISOString(),
      };
      const eventId = await addToOutbox(manager, TOPIC, { tenantId, key: tenantId, payload });
      return { pingId, eventId };
    });

  const effects = async (pingId: string) =>
    (
      await withTenant(reporting, tenantId, (m) =>
        m.query('select count(*)::int as n from msg_test_effects where ping_id = $1', [pingId]),
      )
    )[0].n as number;
  const processed = async (eventId: string) =>
    (
      await reporting.query('select count(*)::int as n from processed_events where event_id = $1', [eventId])
    )[0].n as number;
  const recordEffect = (manager: EntityManager, ping: IngestionPingRecordedV1) =>
    manager.query('insert into msg_test_effects (ping_id, tenant_id, note) values ($1, $2, $3)', [
      ping.pingId,
      ping.tenantId,
      ping.note,
    ]);
  const consumerHost = (
    options: Pick<EventConsumerHostOptions, 'producer' | 'topics' | 'handlers'> &
      Partial<EventConsumerHostOptions>,
  ) =>
    new EventConsumerHost({
      kafka,
      dataSource: reporting,
      service: SERVICE,
      logger,
      maxAttempts: 3,
      retryBackoffMs: 50,
      ...options,
    });
  const createTopics = async (names: string[], partitions: number) => {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, names, partitions, 1);
    await admin.disconnect();
  };
  const highWatermark = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  };

  beforeAll(async () => {
    const owner = await createServiceDataSource({
      schema: SERVICE,
      url: serviceUrls(env, SERVICE).ownerUrl,
      entities: [],
    }).initialize();
    await owner.query(
      `create table if not exists msg_test_effects (ping_id uuid primary key, tenant_id uuid not null, note text)`,
    );
    await owner.destroy();
    ingestion = await createServiceDataSource({
      schema: 'ingestion',
      url: serviceUrls(env, 'ingestion').appUrl,
      entities: MESSAGING_ENTITIES,
    }).initialize();
    reporting = await createServiceDataSource({
      schema: SERVICE,
      url: serviceUrls(env, SERVICE).appUrl,
      entities: MESSAGING_ENTITIES,
    }).initialize();
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    renewable = new RenewableProducer(() => producer, logger);
    consumers = consumerHost({
      producer: renewable,
      topics,
      handlers: {
        [TOPIC]: async (ping, { manager }) => {
          if (ping.note === 'poison' && !poisonCured) throw new Error('cannot apply this ping yet');
          // What node-postgres throws when the server goes away mid-transaction.
          if (ping.note === 'during an outage' && outageFailures++ < 4)
            throw new Error('Connection terminated unexpectedly');
          await recordEffect(manager, ping);
        },
      },
    });
    await createTopics([topics.topic(TOPIC), topics.topic(UNREAD_TOPIC), ...consumers.declaredTopics()], 3);
    await consumers.start();
  }, 60_000);

  afterAll(async () => {
    await consumers.stop();
    await producer.disconnect();
    await ingestion.destroy();
    await reporting.destroy();
  });

  it('publishes a committed event after the relay was down, exactly once downstream', async () => {
    const { pingId, eventId } = await recordPing('while the relay is down');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await effects(pingId)).toBe(0);
    expect(await inOutbox(eventId)).toBe(1);

    const restarted = relay();
    restarted.start();
    try {
      await eventually(async () => (await effects(pingId)) === 1);
      expect(await inOutbox(eventId)).toBe(0);
    } finally {
      await restarted.stop();
    }
  });

  it('publishes a row the previous release wrote (one event per row), through to the consumer', async () => {
    const eventId = randomUUID();
    const payload: IngestionPingRecordedV1 = {
      pingId: randomUUID(),
      tenantId,
      note: 'written by the previous release',
      recordedAt: new Date().toISOString(),
    };
    await ingestion.query(
      `insert into outbox (event_id, topic, message_key, payload, headers) values ($1, $2, $3, $4, $5)`,
      [
        eventId,
        TOPIC,
        tenantId,
        payload,
        {
          [HEADERS.eventId]: eventId,
          [HEADERS.tenantId]: tenantId,
          [HEADERS.schema]: TOPIC,
          [HEADERS.producedAt]: new Date().toISOString(),
        },
      ],
    );
    expect(await inOutbox(eventId)).toBe(1);
    const draining = relay();
    draining.start();
    try {
      await eventually(async () => (await effects(payload.pingId)) === 1);
      expect(await processed(eventId)).toBe(1);
      expect(await inOutbox(eventId)).toBe(0);
    } finally {
      await draining.stop();
    }
  });

  it('backs off while idle, and publishes a write made in this process after one short interval', async () => {
    let rounds = 0;
    const idle = relay({ idlePollMaxMs: 5_000 });
    const publishBatch = idle.publishBatch.bind(idle);
    idle.publishBatch = () => {
      rounds++;
      return publishBatch();
    };
    idle.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      // Polling every 20 ms would be 150 rounds; backing off (20, 40, ... 2,560 ms) it is 8.
      expect(rounds).toBeLessThanOrEqual(10);
      const { eventId } = await recordPing('after a long idle');
      const committedAt = Date.now();
      while ((await inOutbox(eventId)) > 0 && Date.now() - committedAt < 10_000)
        await new Promise((resolve) => setTimeout(resolve, 10));
      // The relay was then sleeping until ~5 s; the write made it poll after ~20 ms.
      expect(Date.now() - committedAt).toBeLessThan(1_000);
    } finally {
      await idle.stop();
    }
  });

  it('publishes events that together exceed what the broker takes in one record batch, in rounds that fit', async () => {
    // 30 events of ~60 KB with one key, so one partition, in three outbox rows: 1.8 MB as one record
    // batch would be refused (message.max.bytes, 1 MiB) on every retry, and the relay would never
    // get past them; so would one row's 600 KB twice over.
    const key = `big:${randomUUID()}`;
    const before = await highWatermark(topics.topic(UNREAD_TOPIC));
    await ingestion.query(
      `insert into outbox (topic, messages, message_count)
       select $1, json_agg(json_build_object('eventId', gen_random_uuid(), 'key', $2::text, 'headers', '{}'::json,
                'value', json_build_object('filler', repeat('x', 60000), 'n', n)::text) order by n)::text, 10
         from generate_series(0, 29) as n group by n / 10 order by n / 10`,
      [UNREAD_TOPIC, key],
    );
    const bigRelay = relay();
    bigRelay.start();
    try {
      const left = async (): Promise<number> =>
        (
          await ingestion.query('select count(*)::int as n from outbox_messages where message_key = $1', [
            key,
          ])
        )[0].n;
      // The rows go once the broker has taken every message, so the topic is complete by then.
      await eventually(async () => (await left()) === 0, 30_000);
      expect((await highWatermark(topics.topic(UNREAD_TOPIC))) - before).toBe(30);
    } finally {
      await bigRelay.stop();
    }
  });

  it('replaces a producer whose sequence numbers the broker refuses, and publishes through the new one', async () => {
    const { pingId, eventId } = await recordPing('through a renewed producer');
    const { counts, producer: renewing } = refusedThenRenewed(() => producer, logger);
    const relaying = relay({ producer: renewing });
    relaying.start();
    try {
      await eventually(async () => (await effects(pingId)) === 1);
      expect(counts).toEqual({ refused: 1, made: 2 });
      expect(await inOutbox(eventId)).toBe(0);
    } finally {
      await relaying.stop();
    }
  });

  it('forwards a failing event to its retry topic through a new producer once the broker refused the old one', async () => {
    const prefix = `${env.topicPrefix}msg-renew-${randomUUID().slice(0, 8)}.`;
    const own = new TopicNames(prefix);
    const { counts, producer: renewing } = refusedThenRenewed(() => producer, logger);
    let failures = 0;
    // Fails on its first two deliveries: the first one's forward is refused, the second one's goes.
    const host = consumerHost({
      producer: renewing,
      topics: own,
      handlers: {
        [TOPIC]: async (ping, { manager }) => {
          if (failures++ < 2) throw new Error('not applicable yet');
          await recordEffect(manager, ping);
        },
      },
    });
    await createTopics([own.topic(TOPIC), ...host.declaredTopics()], 1);
    await host.start();
    try {
      const pingId = randomUUID();
      const payload = { pingId, tenantId, note: 'retried', recordedAt: new Date().toISOString() };
      await produceEvents(producer, prefix, TOPIC, [{ tenantId, payload }]);
      await eventually(async () => (await effects(pingId)) === 1, 60_000);
      expect(counts).toEqual({ refused: 1, made: 2 });
      expect(failures).toBe(3);
      expect(await highWatermark(own.retry(TOPIC, SERVICE))).toBe(1);
    } finally {
      await host.stop();
    }
  });

  it('starts a consumer again after an error kafkajs does not restart it for, and applies the event once', async () => {
    const prefix = `${env.topicPrefix}msg-crash-${randomUUID().slice(0, 8)}.`;
    const own = new TopicNames(prefix);
    let deliveries = 0;
    const crashes: string[] = [];
    // The first delivery fails and is scheduled for retry; then a bug in the outcome callback
    // throws a TypeError, which kafkajs takes as unrecoverable: it stops the consumer for good.
    const host = consumerHost({
      retryBackoffMs: 60_000,
      producer: renewable,
      topics: own,
      handlers: {
        [TOPIC]: async (ping, { manager }) => {
          if (deliveries++ === 0) throw new Error('not applicable yet');
          await recordEffect(manager, ping);
        },
      },
      onOutcome: (outcome) => {
        if (outcome === 'retried' && crashes.length === 0)
          throw new TypeError("Cannot read properties of undefined (reading 'inc')");
      },
      onCrash: (restartedBy) => crashes.push(restartedBy),
    });
    await createTopics([own.topic(TOPIC), ...host.declaredTopics()], 1);
    await host.start();
    try {
      const pingId = randomUUID();
      const payload = {
        pingId,
        tenantId,
        note: 'crashes its consumer',
        recordedAt: new Date().toISOString(),
      };
      await produceEvents(producer, prefix, TOPIC, [{ tenantId, payload }]);
      await eventually(async () => (await effects(pingId)) === 1, 30_000);
      expect(crashes).toEqual(['host']);
      expect(deliveries).toBe(2);
    } finally {
      await host.stop();
    }
  }, 60_000);

  it('republishes after a crash between the Kafka acknowledgement and the commit; the consumer applies it once', async () => {
    const { pingId, eventId } = await recordPing('crash after publish');
    const before = await highWatermark(topics.topic(TOPIC));
    let crashes = 0;
    const crashing = relay({
      afterPublish: async () => {
        if (crashes++ === 0) throw new Error('simulated crash after publish, before commit');
      },
    });
    crashing.start();
    try {
      await eventually(async () => (await effects(pingId)) === 1);
      await eventually(async () => (await highWatermark(topics.topic(TOPIC))) - before === 2);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await effects(pingId)).toBe(1);
      expect(await processed(eventId)).toBe(1);
      expect(crashes).toBeGreaterThanOrEqual(2);
    } finally {
      await crashing.stop();
    }
  });

  it('dead-letters a poison message after the configured attempts without blocking its partition, and replays it', async () => {
    const first = await recordPing('before the poison');
    const poison = await recordPing('poison');
    const after = await recordPing('after the poison');
    const running = relay();
    running.start();
    try {
      await eventually(
        async () => (await effects(first.pingId)) === 1 && (await effects(after.pingId)) === 1,
      );
      const [dead] = await readTopic(topics.deadLetter(TOPIC, SERVICE), (all) => all.length >= 1);
      expect(header(dead, HEADERS.eventId)).toBe(poison.eventId);
      expect(header(dead, HEADERS.dltAttempts)).toBe('3');
      expect(header(dead, HEADERS.originalTopic)).toBe(topics.topic(TOPIC));
      expect(Number(header(dead, HEADERS.originalPartition))).toBeGreaterThanOrEqual(0);
      expect(Number(header(dead, HEADERS.originalOffset))).toBeGreaterThanOrEqual(0);
      expect(header(dead, HEADERS.lastError)).toBe('cannot apply this ping yet');
      expect(await effects(poison.pingId)).toBe(0);

      poisonCured = true;
      const replay = await replayDeadLetters({ kafka, topics, topic: TOPIC, service: SERVICE });
      expect(replay).toEqual({ replayed: 1, eventIds: [poison.eventId] });
      await eventually(async () => (await effects(poison.pingId)) === 1);

      const again = await replayDeadLetters({ kafka, topics, topic: TOPIC, service: SERVICE });
      expect(again.replayed).toBe(0);
      const chosen = await replayDeadLetters({
        kafka,
        topics,
        topic: TOPIC,
        service: SERVICE,
        eventIds: [poison.eventId],
      });
      expect(chosen.replayed).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await effects(poison.pingId)).toBe(1);
      expect(await processed(poison.eventId)).toBe(1);
    } finally {
      await running.stop();
    }
  });

  it('tries an event again in place while the database is unavailable, without using up its attempts', async () => {
    const deadBefore = await highWatermark(topics.deadLetter(TOPIC, SERVICE));
    const retriesBefore = await highWatermark(topics.retry(TOPIC, SERVICE));
    const { pingId, eventId } = await recordPing('during an outage');
    const running = relay();
    running.start();
    try {
      // Four failures against three attempts: dead-lettered if the outage used them up.
      await eventually(async () => (await effects(pingId)) === 1, 30_000);
      expect(outageFailures).toBe(5);
      expect(await processed(eventId)).toBe(1);
      expect(await highWatermark(topics.deadLetter(TOPIC, SERVICE))).toBe(deadBefore);
      expect(await highWatermark(topics.retry(TOPIC, SERVICE))).toBe(retriesBefore);
    } finally {
      await running.stop();
    }
  }, 60_000);

  it('dead-letters a payload that breaks its schema at once', async () => {
    const eventId = randomUUID();
    await producer.send({
      topic: topics.topic(TOPIC),
      messages: [
        {
          key: tenantId,
          value: JSON.stringify({ tenantId, note: 'no ping id' }),
          headers: { [HEADERS.eventId]: eventId, [HEADERS.tenantId]: tenantId },
        },
      ],
    });
    const byId = (all: KafkaMessage[]) => all.find((m) => header(m, HEADERS.eventId) === eventId);
    const dead = byId(await readTopic(topics.deadLetter(TOPIC, SERVICE), (all) => byId(all) !== undefined))!;
    expect(header(dead, HEADERS.dltAttempts)).toBe('1');
    expect(header(dead, HEADERS.lastError)).toContain("must have required property 'pingId'");
  });

  it('waits until a topic shows the partitions just added to it, and gives up on ones never added', async () => {
    const topic = `${topics.topic(UNREAD_TOPIC)}.grown-${randomUUID()}`;
    await createTopics([topic], 3);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 12 }] });
      await waitForLeaders(admin, [topic], { partitions: 12 });
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(metadata.partitions).toHaveLength(12);
      await expect(waitForLeaders(admin, [topic], { partitions: 13, timeoutMs: 1_000 })).rejects.toThrow(
        /without 13 partition\(s\) with leaders/,
      );
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  async function readTopic(
    topic: string,
    enough: (messages: KafkaMessage[]) => boolean,
  ): Promise<KafkaMessage[]> {
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    const messages: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
    try {
      await eventually(async () => enough(messages), 20_000);
      return messages;
    } finally {
      await consumer.disconnect();
    }
  }
});

function header(message: KafkaMessage, name: string): string | undefined {
  return message.headers?.[name]?.toString();
}
