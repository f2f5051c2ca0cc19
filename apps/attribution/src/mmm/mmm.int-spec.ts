import type { EventPayloads } from '@sextant/contracts';
import { createServiceDataSource, Transactions, withTenant } from '@sextant/platform/database';
import {
  EventConsumerHost,
  ensureTopics,
  HEADERS,
  MESSAGING_ENTITIES,
  RenewableProducer,
  TopicNames,
} from '@sextant/platform/messaging';
import { eventually, quietLogger, serviceUrls, testEnvironment, testKafka } from '@sextant/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MmmFitRunner } from './fit-runner';
import { FitsService } from './fits.service';
import { MMM_ENTITIES } from './mmm.entities';
import { MmmConsumer } from './mmm.consumer';

// Real PostgreSQL and Kafka: marketing.spend.recorded.v1 -> attribution's consumer -> daily spend,
// then the event-fed fit input (weekly spend against weekly net revenue).
const SPEND = 'marketing.spend.recorded.v1';
type Spend = EventPayloads[typeof SPEND];

describe('MMM spend consumer and event-fed fit input (real PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  const kafka = testKafka(env.brokers);
  const topics = new TopicNames(`${env.topicPrefix}mmm-${randomUUID().slice(0, 8)}.`);
  const settings = { MMM_MAX_CONCURRENT_FITS: 1, MMM_FIT_STALE_SECONDS: 120 };
  const tenantId = randomUUID();
  let attribution: DataSource;
  let producer: Producer;
  let consumers: EventConsumerHost;
  let fits: FitsService;

  const publish = async (spend: Spend, eventId = randomUUID()) => {
    await producer.send({
      topic: topics.topic(SPEND),
      acks: -1,
      messages: [
        {
          key: `${spend.tenantId}:${spend.channel}`,
          value: JSON.stringify(spend),
          headers: {
            [HEADERS.eventId]: eventId,
            [HEADERS.tenantId]: spend.tenantId,
            [HEADERS.schema]: SPEND,
          },
        },
      ],
    });
    return eventId;
  };
  const spend = (date: string, channel: string, amountMinor: number, revision = 1, campaign = ''): Spend => ({
    tenantId,
    date,
    channel,
    campaign,
    currency: 'EUR',
    amountMinor,
    impressions: null,
    clicks: null,
    revision,
    recordedAt: new Date().toISOString(),
  });
  const stored = () =>
    withTenant(attribution, tenantId, (m) =>
      m.query(
        `select to_char(spend_date, 'YYYY-MM-DD') as date, channel, campaign, amount_minor::int as amount, revision
           from mmm_daily_spend order by 1, 2, 3`,
      ),
    );

  beforeAll(async () => {
    attribution = await createServiceDataSource({
      schema: 'attribution',
      url: serviceUrls(env, 'attribution').appUrl,
      entities: [...MESSAGING_ENTITIES, ...MMM_ENTITIES],
    }).initialize();
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const transactions = new Transactions(attribution);
    const consumer = new MmmConsumer(new MmmFitRunner(transactions, settings));
    fits = new FitsService(transactions, settings);
    consumers = new EventConsumerHost({
      kafka,
      producer: new RenewableProducer(() => producer, quietLogger()),
      dataSource: attribution,
      topics,
      service: 'attribution',
      logger: quietLogger(),
      maxAttempts: 2,
      retryBackoffMs: 50,
      handlers: { [SPEND]: consumer.eventHandlers()[SPEND] },
    });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topics.topic(SPEND), ...consumers.declaredTopics()], 3, 1);
    await admin.disconnect();
    await consumers.start();
  }, 60_000);

  afterAll(async () => {
    await consumers?.stop();
    await producer?.disconnect();
    await attribution?.destroy();
  });

  it('keeps the highest revision per day, channel and campaign, and applies a redelivered event once', async () => {
    const first = await publish(spend('2026-01-05', 'search', 10_000));
    await publish(spend('2026-01-05', 'search', 12_500, 2));
    await publish(spend('2026-01-05', 'search', 11_000, 1)); // an older revision, arriving late
    await publish(spend('2026-01-05', 'search', 3_000, 1, 'brand'));
    await publish(spend('2026-01-06', 'tv', 50_000));
    await publish(spend('2026-01-05', 'search', 10_000), first); // redelivery of the first event
    await eventually(async () => (await stored()).length === 3);
    await eventually(async () => {
      const processed = await attribution.query(
        `select count(*)::int as n from processed_events where tenant_id = $1`,
        [tenantId],
      );
      return processed[0].n === 5;
    });
    expect(await stored()).toEqual([
      { date: '2026-01-05', channel: 'search', campaign: '', amount: 12_500, revision: 2 },
      { date: '2026-01-05', channel: 'search', campaign: 'brand', amount: 3_000, revision: 1 },
      { date: '2026-01-06', channel: 'tv', campaign: '', amount: 50_000, revision: 1 },
    ]);
    const otherTenant = await withTenant(attribution, randomUUID(), (m) =>
      m.query('select count(*)::int as n from mmm_daily_spend'),
    );
    expect(otherTenant[0].n).toBe(0);
  });

  it('builds the weekly fit input from spend and net revenue once conversions exist', async () => {
    const source = { from: '2026-01-05', to: '2026-01-18' };
    await withTenant(attribution, tenantId, (m) =>
      m.query(
        `insert into conversions (tenant_id, order_id, converted_at, currency, revenue_minor, order_revision) values
           ($1, 'o1', '2026-01-07T10:00:00Z', 'EUR', 40000, 1), ($1, 'o2', '2026-01-11T23:30:00Z', 'EUR', 2500, 1),
           ($1, 'o3', '2026-01-14T09:00:00Z', 'EUR', 9900, 1)`,
        [tenantId],
      ),
    );
    // Two weeks are far too few for a model: the input checks answer before any job is queued.
    await expect(fits.create(tenantId, { source })).rejects.toMatchObject({
      status: 400,
      code: 'too_few_weeks',
    });

    const { eventSeries, weeksBetween } = await import('./event-series');
    const { weeklyRevenue, weeklySpend } = await import('./mmm.repository');
    const [weekly, revenue] = await withTenant(attribution, tenantId, (m) =>
      Promise.all([
        weeklySpend(m, tenantId, '2026-01-05', '2026-01-18'),
        weeklyRevenue(m, tenantId, '2026-01-05', '2026-01-18'),
      ]),
    );
    expect(eventSeries(weeksBetween(source.from, source.to), weekly, revenue!)).toEqual({
      dates: ['2026-01-05', '2026-01-12'],
      target: [425, 99],
      channels: [
        { name: 'search', spend: [155, 0] },
        { name: 'tv', spend: [500, 0] },
      ],
      controls: [],
    });
  });
});
