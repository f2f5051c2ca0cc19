/**
 * The whole system against a simulated store with known ground truth, through the gateway only:
 * a few weeks of tracking events, signed Shopify orders and refunds, and ad spend go in through
 * the public API; reporting's revenue, orders and spend must equal the simulator's, every
 * rule-based model must credit the revenue of every order with a tracked touch once, and
 * first-touch credits per channel must equal a recomputation from the simulated visits (for paid
 * channels that is also the causal truth: their visitors exist because of them).
 */

import {
  demoRunStatus,
  eventually,
  loadWorld,
  type LoadedWorld,
  type RunningStack,
  simulateWorld,
  startDemoRuns,
  startStack,
  testEnvironment,
  waitForPipeline,
  type World,
} from '@sextant/testing';

const DAY = 86_400_000;
const MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'];

describe('the whole system against a simulated store', () => {
  let stack: RunningStack;
  let world: World;
  let loaded: LoadedWorld;
  let from: string;
  let to: string;

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${stack.urls.gateway}${path}`, {
      headers: { authorization: `Bearer ${loaded.accessToken}` },
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body}`);
    return JSON.parse(body) as T;
  };

  beforeAll(async () => {
    stack = await startStack(testEnvironment());
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    world = simulateWorld({ seed: 11, days: 21, scale: 0.06, start: new Date(today - 22 * DAY) });
    from = world.start.toISOString().slice(0, 10);
    to = new Date(today).toISOString().slice(0, 10);
    loaded = await loadWorld(world, {
      gatewayUrl: stack.urls.gateway,
      account: {
        tenantName: 'Simulated store',
        email: `world-${Date.now()}@example.com`,
        password: 'correct horse battery world',
      },
    });
  }, 600_000);
  afterAll(() => stack?.stop());

  it('accepts every tracking event once', () => {
    const sent = world.events.flat().length;
    expect(loaded.sent).toMatchObject({ events: sent, accepted: sent, duplicates: 0, rejected: 0 });
    expect(world.orders.length).toBeGreaterThan(10);
  });

  /**
   * Independent of the attribution code: a visit is a tracked touch unless it is Direct (no
   * referrer, no campaign); an order's journey is its buyer's touches in the 30 days before it.
   * First touch credits the order's net revenue to the journey's first channel; orders whose
   * buyer only ever came direct are credited to no channel.
   */
  function expectedFirstTouch(): { byChannel: Map<string, number>; attributed: number } {
    const byChannel = new Map<string, number>();
    let attributed = 0;
    for (const order of world.orders) {
      const journey = order.visits
        .filter((v) => v.channel !== 'Direct')
        .filter((v) => v.at < order.placedAt && v.at.getTime() >= order.placedAt.getTime() - 30 * DAY)
        .sort((a, b) => a.at.getTime() - b.at.getTime());
      if (journey.length === 0) continue;
      const net = order.total - (order.refund?.amount ?? 0);
      byChannel.set(journey[0].channel, (byChannel.get(journey[0].channel) ?? 0) + net);
      attributed += net;
    }
    return { byChannel, attributed };
  }

  it("reports the store's revenue net of refunds, and every model credits each tracked order's revenue once", async () => {
    const { attributed } = expectedFirstTouch();
    await eventually(
      async () => {
        const overview = await get<{ kpis: { name: string; value: number }[] }>(
          `/api/v1/reporting/overview?from=${from}&to=${to}&model=last_touch&currency=USD`,
        );
        const kpi = (name: string) => overview.kpis.find((k) => k.name === name)?.value;
        return (
          Math.abs((kpi('revenue') ?? 0) - world.truth.netRevenue) < 0.01 &&
          kpi('orders') === world.orders.length &&
          Math.abs((kpi('spend') ?? 0) - world.spend.reduce((sum, row) => sum + row.amount, 0)) < 0.05
        );
      },
      180_000,
      2_000,
    );
    for (const model of MODELS) {
      await eventually(
        async () => {
          const table = await get<{ items: { revenue: number }[] }>(
            `/api/v1/reporting/channels?from=${from}&to=${to}&model=${model}&currency=USD&limit=100`,
          );
          const credited = table.items.reduce((sum, row) => sum + row.revenue, 0);
          return Math.abs(credited - attributed) < 0.05;
        },
        120_000,
        2_000,
      );
    }
  });

  it('credits each channel, first touch, exactly as a recomputation from the simulated visits', async () => {
    const { byChannel: expected } = expectedFirstTouch();
    // Paid channels acquire their visitors, so their first-touch revenue is also the causal truth.
    for (const channel of ['Paid Search', 'Paid Social', 'Display'] as const)
      expect(expected.get(channel) ?? 0).toBeCloseTo(world.truth.channels[channel].revenue, 2);
    await eventually(
      async () => {
        const table = await get<{ items: { channel: string; revenue: number }[] }>(
          `/api/v1/reporting/channels?from=${from}&to=${to}&model=first_touch&currency=USD&limit=100`,
        );
        const reported = new Map(table.items.map((row) => [row.channel, row.revenue]));
        return [...expected].every(
          ([channel, revenue]) => Math.abs((reported.get(channel) ?? 0) - revenue) < 0.05,
        );
      },
      120_000,
      2_000,
    );
  });

  it("starts the demo's analyses once the pipeline caught up: Markov credits each tracked order's revenue once, every SKU sold is forecast", async () => {
    await waitForPipeline(stack.urls.gateway, loaded.accessToken, world);
    const runs = await startDemoRuns(stack.urls.gateway, loaded.accessToken, world);
    expect(runs.mmmSkipped).toMatch(/whole weeks/); // three weeks are too few for a marketing-mix fit
    await eventually(
      async () => {
        const status = await demoRunStatus(stack.urls.gateway, loaded.accessToken, runs);
        if (status.attribution !== 'succeeded' || status.forecast !== 'succeeded')
          throw new Error(`demo runs not done: ${JSON.stringify(status)}`);
        return true;
      },
      180_000,
      2_000,
    );
    const { attributed } = expectedFirstTouch();
    const tracked = world.orders.filter((order) =>
      order.visits.some(
        (v) =>
          v.channel !== 'Direct' &&
          v.at < order.placedAt &&
          v.at.getTime() >= order.placedAt.getTime() - 30 * DAY,
      ),
    ).length;
    const markov = await get<{
      conversions: number;
      revenueMinor: number;
      credits: { revenueMinor: number }[];
    }>(`/api/v1/attribution/runs/${runs.attributionRunId}/result`);
    expect(markov.conversions).toBeCloseTo(tracked, 6);
    expect(markov.revenueMinor / 100).toBeCloseTo(attributed, 1);
    expect(markov.credits.reduce((sum, c) => sum + c.revenueMinor, 0) / 100).toBeCloseTo(attributed, 1);
    const forecast = await get<{ progress: { total: number; succeeded: number; failed: number } }>(
      `/api/v1/forecasting/runs/${runs.forecastRunId}`,
    );
    const skusSold = new Set(world.orders.flatMap((order) => order.lineItems.map((line) => line.sku)));
    expect(forecast.progress).toMatchObject({ total: skusSold.size, succeeded: skusSold.size, failed: 0 });
  }, 600_000);
});
