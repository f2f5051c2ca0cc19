/**
 * The whole system against a simulated store with known ground truth, through the gateway only:
 * a few weeks of tracking events, signed Shopify orders and refunds, and ad spend go in through
 * the public API; reporting's revenue must equal the simulator's net revenue, every rule-based
 * model must credit exactly that revenue, and first-touch credits must equal the revenue of the
 * visitors each channel acquired (the simulator's causal truth: in its generating process a
 * visitor's landing channel is the one that brought them).
 */

import {
  eventually,
  loadWorld,
  type LoadedWorld,
  type RunningStack,
  simulateWorld,
  startStack,
  testEnvironment,
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

  it("reports the store's revenue net of refunds, and every model credits all of it", async () => {
    const expected = world.truth.netRevenue;
    await eventually(
      async () => {
        const overview = await get<{ kpis: { name: string; value: number }[] }>(
          `/api/v1/reporting/overview?from=${from}&to=${to}&model=last_touch&currency=USD`,
        );
        const revenue = overview.kpis.find((k) => k.name === 'revenue')?.value;
        return revenue !== undefined && Math.abs(revenue - expected) < 0.01;
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
          return Math.abs(credited - expected) < 0.05;
        },
        120_000,
        2_000,
      );
    }
  });

  it('credits each channel, first touch, with the revenue of the visitors it acquired', async () => {
    const truth = world.truth.channels;
    await eventually(
      async () => {
        const table = await get<{ items: { channel: string; revenue: number }[] }>(
          `/api/v1/reporting/channels?from=${from}&to=${to}&model=first_touch&currency=USD&limit=100`,
        );
        const byChannel = new Map(table.items.map((row) => [row.channel, row.revenue]));
        return Object.entries(truth)
          .filter(([channel]) => channel !== 'Direct')
          .every(([channel, t]) => Math.abs((byChannel.get(channel) ?? 0) - t.revenue) < 0.05);
      },
      120_000,
      2_000,
    );
  });
});
