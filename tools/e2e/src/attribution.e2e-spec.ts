import { type EventPayloads, gatewayOpenApiDocument } from '@sextant/contracts';
import {
  ContractClient,
  eventually,
  type RunningStack,
  type SignedUpOwner,
  signUp,
  startStack,
  testEnvironment,
  testKafka,
} from '@sextant/testing';
import { type Consumer, Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

type AcceptedEvent = EventPayloads['ingestion.event.accepted.v1'];
type Order = EventPayloads['commerce.order.recorded.v1'];
type CreditMessage = EventPayloads['attribution.credit.computed.v1'];
type Credit = { channel: string; campaign?: string | null; conversions: number; revenueMinor: number };
interface Journey {
  orderId: string;
  revenueMinor: number;
  revision: number;
  touches: { eventId: string; channel: string; campaign: string | null }[];
  credits: Record<string, Credit[]>;
}
interface CreditReport {
  runId: string | null;
  conversions: number;
  revenueMinor: number;
  currency: string | null;
  credits: Credit[];
}
interface Run {
  runId: string;
  status: string;
  progress: number;
}

const DAY = 86_400_000;
const CONVERTED_AT = Date.parse('2026-03-15T12:00:00Z');
const at = (daysBefore: number) => new Date(CONVERTED_AT - daysBefore * DAY).toISOString();
const PERIOD = { from: '2026-03-01', to: '2026-03-31' };
const RULE_BASED = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'];

function touchEvent(
  tenantId: string,
  profileId: string,
  timestamp: string,
  channel: string,
  campaign: string | null = null,
): AcceptedEvent {
  const eventId = randomUUID();
  return {
    tenantId,
    eventId,
    messageId: eventId,
    type: 'page',
    event: null,
    profileId,
    anonymousId: `anon-${profileId}`,
    userId: null,
    timestamp,
    originalTimestamp: timestamp,
    sentAt: timestamp,
    receivedAt: timestamp,
    futureTimestamp: false,
    sourceId: null,
    touch: {
      channel,
      source: channel.toLowerCase(),
      medium: 'test',
      campaign,
      term: null,
      content: null,
      clickIdType: null,
      clickId: null,
      referrerHost: null,
    },
    consent: null,
    properties: {},
    traits: {},
    context: {},
  };
}

function order(
  tenantId: string,
  orderId: string,
  profileId: string | null,
  revision: number,
  totalMinor: number,
  refundedMinor = 0,
): Order {
  const placedAt = new Date(CONVERTED_AT).toISOString();
  return {
    tenantId,
    orderId,
    revision,
    provider: 'shopify',
    sourceId: 'shop',
    reference: null,
    status: refundedMinor > 0 ? 'partially_refunded' : 'paid',
    statusHistory: [{ status: 'paid', at: placedAt }],
    currency: 'EUR',
    customer: { id: null, emailHash: null },
    profileId,
    lineItems: [{ sku: 'sku-1', productId: null, name: null, quantity: 1, unitPriceMinor: totalMinor }],
    subtotalMinor: totalMinor,
    discountMinor: 0,
    taxMinor: 0,
    shippingMinor: 0,
    totalMinor,
    refunds: refundedMinor
      ? [{ refundId: `r-${revision}`, amountMinor: refundedMinor, createdAt: placedAt, lineItems: [] }]
      : [],
    refundedMinor,
    netRevenueMinor: totalMinor - refundedMinor,
    placedAt,
    updatedAt: placedAt,
  };
}

const sum = (credits: Credit[], field: 'conversions' | 'revenueMinor') =>
  credits.reduce((total, c) => total + c[field], 0);
const creditOf = (credits: Credit[], channel: string) => credits.find((c) => c.channel === channel);

describe('attribution through the gateway, fed by real Kafka messages', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let producer: Producer;
  let creditConsumer: Consumer;
  const creditMessages: CreditMessage[] = [];
  let shop: SignedUpOwner;
  let other: SignedUpOwner;

  /** Publishes an input event the way ingestion's outbox relay does (headers included). */
  const publish = async (
    topic: 'ingestion.event.accepted.v1' | 'ingestion.identity.merged.v1' | 'commerce.order.recorded.v1',
    tenantId: string,
    key: string,
    payload: unknown,
    eventId: string = randomUUID(),
  ) => {
    await producer.send({
      topic: `${env.topicPrefix}${topic}`,
      acks: -1,
      messages: [
        {
          key,
          value: JSON.stringify(payload),
          headers: {
            'event-id': eventId,
            'tenant-id': tenantId,
            schema: topic,
            'produced-at': new Date().toISOString(),
          },
        },
      ],
    });
    return eventId;
  };
  const publishTouch = (event: AcceptedEvent, eventId?: string) =>
    publish(
      'ingestion.event.accepted.v1',
      event.tenantId,
      `${event.tenantId}:${event.profileId}`,
      event,
      eventId,
    );
  const publishOrder = (o: Order) =>
    publish('commerce.order.recorded.v1', o.tenantId, `${o.tenantId}:${o.orderId}`, o);

  const journeysOf = async (owner: SignedUpOwner, profileId: string) => {
    const response = await api.request<{ journeys: Journey[] }>(
      'GET',
      '/api/v1/attribution/profiles/{profileId}/journeys',
      { params: { profileId }, query: PERIOD, headers: owner.headers },
    );
    expect(response.status).toBe(200);
    return response.body.journeys;
  };
  const journeyWhen = (
    owner: SignedUpOwner,
    profileId: string,
    orderId: string,
    ok: (j: Journey) => boolean,
  ) =>
    eventually(async () => {
      const journey = (await journeysOf(owner, profileId)).find((j) => j.orderId === orderId);
      return journey && ok(journey) ? journey : undefined;
    }, 60_000);
  const credits = async (owner: SignedUpOwner, query: Record<string, string>) => {
    const response = await api.request<CreditReport>('GET', '/api/v1/attribution/credits', {
      query: { ...PERIOD, ...query },
      headers: owner.headers,
    });
    expect(response.status).toBe(200);
    return response.body;
  };
  const runToEnd = async (owner: SignedUpOwner, request: Record<string, unknown>) => {
    const created = await api.request<Run>('POST', '/api/v1/attribution/runs', {
      body: { ...PERIOD, ...request },
      headers: owner.headers,
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('queued');
    return eventually(async () => {
      const run = await api.request<Run>('GET', '/api/v1/attribution/runs/{runId}', {
        params: { runId: created.body.runId },
        headers: owner.headers,
      });
      return ['succeeded', 'failed', 'cancelled'].includes(run.body.status) ? run.body : undefined;
    }, 60_000);
  };

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'attribution', 'gateway']);
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    [shop, other] = await Promise.all([
      signUp(stack.urls.gateway, 'Shop'),
      signUp(stack.urls.gateway, 'Other'),
    ]);
    const kafka = testKafka(env.brokers, 'attribution-e2e');
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    creditConsumer = kafka.consumer({ groupId: `${env.topicPrefix}attribution-e2e-${randomUUID()}` });
    await creditConsumer.connect();
    await creditConsumer.subscribe({
      topics: [`${env.topicPrefix}attribution.credit.computed.v1`],
      fromBeginning: true,
    });
    await creditConsumer.run({
      eachMessage: async ({ message }) => {
        creditMessages.push(JSON.parse(message.value!.toString('utf8')));
      },
    });
  }, 400_000);
  afterAll(async () => {
    await creditConsumer?.disconnect();
    await producer?.disconnect();
    await stack?.stop();
  });

  const profile = randomUUID();
  const orderId = `shopify:${randomUUID()}`;

  it('credits a conversion to the touches of its lookback window with every rule-based model', async () => {
    for (const [days, channel, campaign] of [
      [40, 'Display', null], // outside the 30-day lookback
      [10, 'Paid Search', 'spring'],
      [5, 'Email', 'newsletter'],
      [1, 'Direct', null], // credited only when the whole journey is direct
    ] as const)
      await publishTouch(touchEvent(shop.tenantId, profile, at(days), channel, campaign));
    await publishOrder(order(shop.tenantId, orderId, profile, 1, 10_000));

    const journey = await journeyWhen(shop, profile, orderId, (j) => j.touches.length === 3);
    expect(journey.touches.map((t) => t.channel)).toEqual(['Paid Search', 'Email', 'Direct']);
    expect(journey.revenueMinor).toBe(10_000);
    const only = (model: string) => journey.credits[model].map((c) => [c.channel, c.campaign, c.conversions]);
    expect(only('first_touch')).toEqual([['Paid Search', 'spring', 1]]);
    expect(only('last_touch')).toEqual([['Email', 'newsletter', 1]]);
    expect(only('last_non_direct')).toEqual([['Email', 'newsletter', 1]]);
    expect(only('linear')).toEqual([
      ['Email', 'newsletter', 0.5],
      ['Paid Search', 'spring', 0.5],
    ]);
    expect(only('position_based')).toEqual(only('linear')); // two eligible touches: 50/50
    // Time decay, half-life 7 days: weight 2^(-age/7) for ages 10 and 5 days.
    const email = 2 ** (-5 / 7) / (2 ** (-5 / 7) + 2 ** (-10 / 7));
    const decay = creditOf(journey.credits.time_decay, 'Email')!;
    expect(decay.conversions).toBeCloseTo(email, 12);
    expect(decay.revenueMinor).toBeCloseTo(email * 10_000, 8);
    expect(creditOf(journey.credits.time_decay, 'Paid Search')!.conversions).toBeCloseTo(1 - email, 12);

    const published = await eventually(async () =>
      creditMessages.find((m) => m.orderId === orderId && m.revision === journey.revision),
    );
    expect(published.touchpoints).toBe(3);
    expect(published.revenueMinor).toBe(10_000);
    expect(published.models.linear).toEqual(journey.credits.linear);
  });

  it('recomputes on a late touch, ignores redelivered messages, and follows refunds and merges', async () => {
    const [before] = await journeysOf(shop, profile);
    const late = touchEvent(shop.tenantId, profile, at(2), 'Paid Social', 'retarget');
    const lateEventId = await publishTouch(late);
    const afterLate = await journeyWhen(shop, profile, orderId, (j) => j.touches.length === 4);
    expect(afterLate.revision).toBe(before.revision + 1);
    expect(afterLate.credits.linear.map((c) => c.conversions)).toEqual([1 / 3, 1 / 3, 1 / 3]);

    // The same message again (same event id), and the same touch under a new message id: no change.
    await publishTouch(late, lateEventId);
    await publishTouch(late);
    // A marker on the same partition (same key), applied after the duplicates.
    await publishTouch(touchEvent(shop.tenantId, profile, at(3), 'Referral'));
    const afterMarker = await journeyWhen(shop, profile, orderId, (j) => j.touches.length === 5);
    expect(afterMarker.revision).toBe(afterLate.revision + 1);
    expect(new Set(afterMarker.touches.map((t) => t.eventId)).size).toBe(5);

    // A partial refund (revision 2), then a stale revision 1, then a second refund (revision 3).
    await publishOrder(order(shop.tenantId, orderId, profile, 2, 10_000, 4_000));
    await publishOrder(order(shop.tenantId, orderId, profile, 1, 10_000));
    await publishOrder(order(shop.tenantId, orderId, profile, 3, 10_000, 5_000));
    const refunded = await journeyWhen(shop, profile, orderId, (j) => j.revenueMinor === 5_000);
    expect(refunded.credits.linear.map((c) => c.revenueMinor)).toEqual([1_250, 1_250, 1_250, 1_250]);
    const revenues = await eventually(async () => {
      const seen = creditMessages
        .filter((m) => m.orderId === orderId)
        .sort((a, b) => a.revision - b.revision)
        .map((m) => m.revenueMinor);
      return seen.at(-1) === 5_000 ? seen : undefined;
    });
    expect(revenues.slice(revenues.indexOf(6_000))).toEqual([6_000, 5_000]); // never back to 10,000

    // Another profile's touch joins the journey when ingestion merges that profile into this one.
    const merged = randomUUID();
    await publishTouch(touchEvent(shop.tenantId, merged, at(4), 'Affiliates'));
    await publish('ingestion.identity.merged.v1', shop.tenantId, `${shop.tenantId}:${profile}`, {
      tenantId: shop.tenantId,
      profileId: profile,
      mergedProfileIds: [merged],
      identifiers: [{ kind: 'userId', value: 'u-1' }],
      reason: 'identify',
      mergedAt: new Date().toISOString(),
    });
    const afterMerge = await journeyWhen(shop, profile, orderId, (j) => j.touches.length === 6);
    expect(afterMerge.touches.map((t) => t.channel)).toContain('Affiliates');
    expect((await journeysOf(shop, merged)).map((j) => j.orderId)).toEqual([orderId]);
  });

  it('keeps orders without a profile as conversions with an empty journey; credits sum to the attributed totals', async () => {
    const anonymousOrder = `shopify:${randomUUID()}`;
    await publishOrder(order(shop.tenantId, anonymousOrder, null, 1, 2_500));
    const message = await eventually(async () => creditMessages.find((m) => m.orderId === anonymousOrder));
    expect(message.touchpoints).toBe(0);
    expect(Object.values(message.models).every((credits) => credits.length === 0)).toBe(true);

    for (const model of RULE_BASED) {
      for (const groupBy of ['channel', 'campaign']) {
        const report = await credits(shop, { model, groupBy });
        expect(report.conversions).toBe(1); // the order with an empty journey is not attributed
        expect(report.revenueMinor).toBe(5_000);
        expect(report.currency).toBe('EUR');
        expect(sum(report.credits, 'conversions')).toBeCloseTo(1, 12);
        expect(sum(report.credits, 'revenueMinor')).toBeCloseTo(5_000, 8);
      }
    }
    const byCampaign = await credits(shop, { model: 'first_touch', groupBy: 'campaign' });
    expect(byCampaign.credits).toEqual([
      { channel: 'Paid Search', campaign: 'spring', conversions: 1, revenueMinor: 5_000 },
    ]);
    const comparison = await api.request<{ models: { model: string; credits: Credit[] }[] }>(
      'GET',
      '/api/v1/attribution/comparison',
      { query: PERIOD, headers: shop.headers },
    );
    expect(comparison.body.models.map((m) => m.model)).toEqual(RULE_BASED);
  });

  it("runs Markov and Shapley jobs and reproduces the classic three-path example's numbers", async () => {
    // C1 > C2 > C3 converts; C1 alone and C2 > C3 do not (Anderl et al. style walk-through, as in the
    // domain library's golden test): P(conversion) 1/3, removal effects 0.5 / 1 / 1, credits 0.2 / 0.4 / 0.4.
    const [converter, lost1, lost2] = [randomUUID(), randomUUID(), randomUUID()];
    const paths: [string, string[]][] = [
      [converter, ['C1', 'C2', 'C3']],
      [lost1, ['C1']],
      [lost2, ['C2', 'C3']],
    ];
    for (const [id, channels] of paths)
      for (const [k, channel] of channels.entries())
        await publishTouch(touchEvent(other.tenantId, id, at(3 - k), channel));
    const threePathOrder = `shopify:${randomUUID()}`;
    await publishOrder(order(other.tenantId, threePathOrder, converter, 1, 1_000));
    await journeyWhen(other, converter, threePathOrder, (j) => j.touches.length === 3);

    const markov = await eventually(async () => {
      const run = await runToEnd(other, { model: 'markov', order: 1 });
      const result = await api.request<{
        paths: { converting: number; nonConverting: number };
        credits: Credit[];
      }>('GET', '/api/v1/attribution/runs/{runId}/result', {
        params: { runId: run.runId },
        headers: other.headers,
      });
      // Until every touch has been consumed the run sees fewer non-converting paths: run again.
      return result.body.paths?.nonConverting === 2 ? { run, result: result.body } : undefined;
    }, 90_000);
    expect(markov.run.status).toBe('succeeded');
    expect(markov.run.progress).toBe(1);
    expect(markov.result.paths.converting).toBe(1);
    expect(creditOf(markov.result.credits, 'C1')!.conversions).toBeCloseTo(0.2, 12);
    expect(creditOf(markov.result.credits, 'C2')!.conversions).toBeCloseTo(0.4, 12);
    expect(creditOf(markov.result.credits, 'C3')!.revenueMinor).toBeCloseTo(400, 9);

    const chain = await api.request<{
      conversionProbability: number;
      removalEffects: { channel: string; conversions: number }[];
      transitions: { from: string; to: string; probability: number }[];
    }>('GET', '/api/v1/attribution/runs/{runId}/markov', {
      params: { runId: markov.run.runId },
      headers: other.headers,
    });
    expect(chain.body.conversionProbability).toBeCloseTo(1 / 3, 12);
    const effects = Object.fromEntries(chain.body.removalEffects.map((e) => [e.channel, e.conversions]));
    expect(effects.C1).toBeCloseTo(0.5, 12);
    expect(effects.C2).toBeCloseTo(1, 12);
    const p = (from: string, to: string) =>
      chain.body.transitions.find((t) => t.from === from && t.to === to)?.probability;
    expect(p('(start)', 'C1')).toBeCloseTo(2 / 3, 12);
    expect(p('C1', '(null)')).toBeCloseTo(0.5, 12);
    expect(p('C3', '(conversion)')).toBeCloseTo(0.5, 12);

    const fromRun = await credits(other, { model: 'markov' });
    expect(fromRun.runId).toBe(markov.run.runId);
    expect(sum(fromRun.credits, 'conversions')).toBeCloseTo(1, 12);

    // Simplified and exact Shapley: the one converting path splits its conversion equally (1/3 each).
    for (const model of ['shapley', 'shapley_exact']) {
      const run = await runToEnd(other, { model });
      expect(run.status).toBe('succeeded');
      const report = await credits(other, { model, runId: run.runId });
      for (const channel of ['C1', 'C2', 'C3'])
        expect(creditOf(report.credits, channel)!.conversions).toBeCloseTo(1 / 3, 12);
      expect(sum(report.credits, 'revenueMinor')).toBeCloseTo(1_000, 9);
    }
    // Markov without null paths: every channel is necessary to the only path, 1/3 each.
    const noNulls = await runToEnd(other, { model: 'markov', includeNullPaths: false });
    const noNullCredits = await credits(other, { model: 'markov', runId: noNulls.runId });
    for (const channel of ['C1', 'C2', 'C3'])
      expect(creditOf(noNullCredits.credits, channel)!.conversions).toBeCloseTo(1 / 3, 12);

    const finished = await api.request('POST', '/api/v1/attribution/runs/{runId}/cancel', {
      params: { runId: markov.run.runId },
      headers: other.headers,
    });
    expect(finished.status).toBe(409);
    const listed = await api.request<{ runs: Run[] }>('GET', '/api/v1/attribution/runs', {
      headers: other.headers,
    });
    expect(listed.body.runs.map((r) => r.runId)).toContain(markov.run.runId);
    // Another tenant sees neither the run nor the journeys.
    const foreign = await api.request('GET', '/api/v1/attribution/runs/{runId}', {
      params: { runId: markov.run.runId },
      headers: shop.headers,
    });
    expect(foreign.status).toBe(404);
    expect(await journeysOf(shop, converter)).toEqual([]);
    expect((await credits(shop, { model: 'markov' })).credits).toEqual([]);
  });

  it('answers bad input with 400 problem+json, and a tenant without data with empty results', async () => {
    const problem = async (query: Record<string, string>, field: string) => {
      const response = await api.request<{ errors?: { field: string }[] }>(
        'GET',
        '/api/v1/attribution/credits',
        {
          query,
          headers: shop.headers,
        },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors?.map((e) => e.field)).toContain(field);
    };
    await problem({ model: 'astrology', ...PERIOD }, '/query/model');
    await problem({ model: 'linear', from: '2026-03-31', to: '2026-03-01' }, '/query/to');
    await problem({ model: 'linear', from: '2024-01-01', to: '2026-01-01' }, '/query/to');
    await problem({ model: 'markov', groupBy: 'campaign', ...PERIOD }, '/query/groupBy');
    const inverted = await api.request<{ errors?: { field: string }[] }>('POST', '/api/v1/attribution/runs', {
      body: { model: 'markov', from: '2026-03-31', to: '2026-03-01' },
      headers: shop.headers,
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.errors?.map((e) => e.field)).toEqual(['/body/to']);
    const badOrder = await api.request('POST', '/api/v1/attribution/runs', {
      body: { model: 'markov', order: 5, ...PERIOD },
      headers: shop.headers,
    });
    expect(badOrder.status).toBe(400);
    const anonymous = await api.request('GET', '/api/v1/attribution/credits', {
      query: { model: 'linear', ...PERIOD },
    });
    expect(anonymous.status).toBe(401);

    const empty = await signUp(stack.urls.gateway, 'Empty shop');
    const report = await credits(empty, { model: 'linear' });
    expect(report).toMatchObject({ conversions: 0, revenueMinor: 0, currency: null, credits: [] });
    const run = await runToEnd(empty, { model: 'markov' });
    expect(run.status).toBe('succeeded');
    const result = await api.request<{ credits: Credit[]; conversions: number }>(
      'GET',
      '/api/v1/attribution/runs/{runId}/result',
      { params: { runId: run.runId }, headers: empty.headers },
    );
    expect(result.body).toMatchObject({ conversions: 0, credits: [] });

    // Cancelling races the worker: either the run is cancelled and stays so, or it had finished (409).
    const toCancel = await api.request<Run>('POST', '/api/v1/attribution/runs', {
      body: { model: 'shapley', ...PERIOD },
      headers: empty.headers,
    });
    const cancel = await api.request<Run>('POST', '/api/v1/attribution/runs/{runId}/cancel', {
      params: { runId: toCancel.body.runId },
      headers: empty.headers,
    });
    expect([200, 409]).toContain(cancel.status);
    await runToEnd(empty, { model: 'shapley' }); // a later job: the worker has had its chance
    const afterwards = await api.request<Run>('GET', '/api/v1/attribution/runs/{runId}', {
      params: { runId: toCancel.body.runId },
      headers: empty.headers,
    });
    expect(afterwards.body.status).toBe(cancel.status === 200 ? 'cancelled' : 'succeeded');
    if (cancel.status === 200) {
      const noResult = await api.request('GET', '/api/v1/attribution/runs/{runId}/result', {
        params: { runId: toCancel.body.runId },
        headers: empty.headers,
      });
      expect(noResult.status).toBe(409);
    }

    const settings = await api.request<{ lookbackDays: number; halfLifeDays: number }>(
      'PUT',
      '/api/v1/attribution/settings',
      { body: { lookbackDays: 14, halfLifeDays: 3 }, headers: empty.headers },
    );
    expect(settings.body).toMatchObject({ lookbackDays: 14, halfLifeDays: 3 });
    const untouched = await api.request<{ lookbackDays: number }>('GET', '/api/v1/attribution/settings', {
      headers: shop.headers,
    });
    expect(untouched.body.lookbackDays).toBe(30);
  });
});
