import { ORGANIC_CHANNELS, PAID_CHANNELS, simulateWorld } from './world';

describe('the demo world', () => {
  const world = simulateWorld({ seed: 7, days: 60, start: new Date('2026-01-01T00:00:00Z') });

  it('is the same world for the same seed, and another for another seed', () => {
    const again = simulateWorld({ seed: 7, days: 60, start: new Date('2026-01-01T00:00:00Z') });
    expect(again.orders).toEqual(world.orders);
    expect(again.events).toEqual(world.events);
    const other = simulateWorld({ seed: 8, days: 60, start: new Date('2026-01-01T00:00:00Z') });
    expect(other.orders.length).not.toBe(world.orders.length);
  });

  it('keeps its ground truth consistent with what it sends', () => {
    const channels = Object.values(world.truth.channels);
    const spendSent = world.spend.reduce((sum, row) => sum + row.amount, 0);
    expect(channels.reduce((sum, c) => sum + c.spend, 0)).toBeCloseTo(spendSent, 1);
    const netSent = world.orders.reduce((sum, o) => sum + o.total - (o.refund?.amount ?? 0), 0);
    expect(world.truth.netRevenue).toBeCloseTo(netSent, 1);
    expect(channels.reduce((sum, c) => sum + c.revenue, 0)).toBeCloseTo(netSent, 1);
    for (const channel of ORGANIC_CHANNELS) expect(world.truth.channels[channel].spend).toBe(0);
    for (const channel of PAID_CHANNELS) expect(world.truth.channels[channel].roi).toBeGreaterThan(0);
  });

  it('sends well-formed facts: unique message ids, refunds after orders, inside the world and never above them', () => {
    const end = world.start.getTime() + world.days * 86_400_000;
    const ids = world.events.flat().map((e) => e.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const order of world.orders) {
      expect(order.total).toBeGreaterThan(0);
      if (!order.refund) continue;
      expect(order.refund.amount).toBeLessThanOrEqual(order.total);
      expect(order.refund.at.getTime()).toBeGreaterThan(order.placedAt.getTime());
      expect(order.refund.at.getTime()).toBeLessThan(end);
    }
    const buyers = new Set(world.orders.map((o) => o.customer.anonymousId));
    expect(buyers.size).toBe(world.orders.length);
  });

  it('sells SKUs of every demand pattern', () => {
    const sold = new Set(world.orders.flatMap((o) => o.lineItems.map((i) => i.sku)));
    const patterns = new Set(world.skus.filter((s) => sold.has(s.sku)).map((s) => s.pattern));
    expect([...patterns].sort()).toEqual(['erratic', 'intermittent', 'lumpy', 'smooth']);
  });
});
