import type { SegmentEvent, SimulatedOrder } from '@sextant/testing';
import { carriesTouch, type Measurement, verify } from './counts';
import { Ledger } from './traffic';

const page = (messageId: string, url: string, referrer = ''): SegmentEvent => ({
  type: 'page',
  messageId,
  anonymousId: 'a',
  timestamp: '2026-11-01T00:00:00Z',
  context: { page: { url, referrer } },
});
const order = {
  orderId: 7,
  total: 100,
  refund: { refundId: 8, at: new Date(), amount: 40 },
} as SimulatedOrder;

/** Two events (one a touch), one order with its refund, one spend row: all acknowledged. */
function ledger(): Ledger {
  const l = new Ledger();
  for (const event of [
    page('m1', 'https://shop.example.com/p?utm_source=google&utm_medium=cpc'),
    page('m2', 'https://shop.example.com/p'),
  ]) {
    l.attemptedEvents.set(event.messageId, event);
    l.acknowledgedEvents.add(event.messageId);
  }
  l.attemptedDeliveries.set('shopify:o', { kind: 'orders', order });
  l.attemptedDeliveries.set('shopify:r', { kind: 'refunds', order });
  l.acknowledgedDeliveries.add('shopify:o').add('shopify:r');
  const row = {
    date: '2026-11-01',
    channel: 'Display' as const,
    campaign: 'x',
    currency: 'USD',
    amount: 12.5,
  };
  l.attemptedSpend.set('2026-11-01|Display|x', row);
  l.acknowledgedSpend.add('2026-11-01|Display|x');
  return l;
}

/** Every layer holding each item once, with the amounts sent. */
function exact(): Measurement {
  return {
    ingestion: {
      trackedMessages: new Map([
        ['m1', 'e1'],
        ['m2', 'e2'],
      ]),
      webhookDeliveries: new Set(['shopify:o', 'shopify:r']),
      orders: new Set(['shopify:7']),
      spend: new Map([['2026-11-01|Display|x', 1250]]),
      deadLetters: 0,
    },
    reporting: {
      sourceVolumeEvents: 2,
      trafficTouches: 1,
      processedEvents: new Set(['e1', 'e2']),
      orders: new Map([['shopify:7', { totalMinor: 10000, refundedMinor: 4000, netRevenueMinor: 6000 }]]),
      spend: new Map([['2026-11-01|Display|x', 1250]]),
    },
    attribution: {
      touchpoints: new Set(['e1']),
      processedEvents: new Set(['e1', 'e2']),
      conversions: new Map([['shopify:7', 6000]]),
    },
    kafka: { deadLetterTopics: { 'p.ingestion.event.accepted.v1.reporting.dlt': 0 } },
  };
}

const failed = (m: Measurement) =>
  verify(ledger(), m)
    .filter((c) => !c.ok)
    .map((c) => `${c.layer}: ${c.what}`);

describe('chaos counts', () => {
  it('a page carries a touch with UTM parameters, a click id or a referrer, not a direct visit', () => {
    expect(carriesTouch(page('a', 'https://s.example/p?utm_source=x'))).toBe(true);
    expect(carriesTouch(page('a', 'https://s.example/p?gclid=1'))).toBe(true);
    expect(carriesTouch(page('a', 'https://s.example/p', 'https://www.google.com/'))).toBe(true);
    expect(carriesTouch(page('a', 'https://s.example/p'))).toBe(false);
  });

  it('passes when every layer holds each acknowledged item once', () => {
    expect(failed(exact())).toEqual([]);
  });

  it('flags an event counted twice in reporting, one missing in attribution, a refund applied twice, a dead letter', () => {
    const m = exact();
    m.reporting.sourceVolumeEvents = 3;
    m.attribution.touchpoints.clear();
    m.reporting.orders.set('shopify:7', { totalMinor: 10000, refundedMinor: 8000, netRevenueMinor: 2000 });
    m.kafka.deadLetterTopics['p.ingestion.event.accepted.v1.reporting.dlt'] = 1;
    expect(failed(m)).toEqual([
      'reporting: events in source volume (sum of fct_source_volume.events)',
      'attribution: touchpoints (one per touch event)',
      'reporting: orders in fct_orders, amounts net of refunds as sent',
      'dead letters: messages in Kafka dead-letter topics',
    ]);
  });

  it('flags an acknowledged event that ingestion lost and one it holds but was never sent', () => {
    const m = exact();
    m.ingestion.trackedMessages.delete('m2');
    m.ingestion.trackedMessages.set('m9', 'e9');
    expect(failed(m)[0]).toBe('ingestion: tracking events (acknowledged -> accepted, one per messageId)');
  });
});
