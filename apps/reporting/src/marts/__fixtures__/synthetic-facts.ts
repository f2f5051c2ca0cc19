import type { EventPayloads } from '@sextant/contracts';
import { randomUUID } from 'node:crypto';

type Accepted = EventPayloads['ingestion.event.accepted.v1'];
type Order = EventPayloads['commerce.order.recorded.v1'];
type Spend = EventPayloads['marketing.spend.recorded.v1'];
type Credits = EventPayloads['attribution.credit.computed.v1'];

export const MODELS = [
  'first_touch',
  'last_touch',
  'last_non_direct',
  'linear',
  'time_decay',
  'position_based',
] as const;

/** A small deterministic generator (mulberry32) so a failing case can be replayed. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

export interface Facts {
  events: { eventId: string; payload: Accepted }[];
  orders: Order[];
  spend: Spend[];
  credits: Credits[];
}

const CHANNELS = ['paid_search', 'paid_social', 'email', 'organic_search', 'direct'];
const CAMPAIGNS = ['spring', 'summer', null];
const DAYS = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04'];
const SKUS = ['SKU-A', 'SKU-B', 'SKU-C'];

/** Traffic, orders with several revisions, spend with revisions (one changing currency), credits. */
export function syntheticFacts(tenantId: string, seed: number, size = 1): Facts {
  const r = random(seed);
  const at = (day: string) =>
    `${day}T${String(r.int(24)).padStart(2, '0')}:${String(r.int(60)).padStart(2, '0')}:00.000Z`;
  const events: Facts['events'] = [];
  for (let i = 0; i < 200 * size; i++) {
    const ts = at(r.pick(DAYS));
    const touched = r.next() < 0.7;
    events.push({
      eventId: randomUUID(),
      payload: {
        tenantId,
        eventId: randomUUID(),
        messageId: `m-${seed}-${i}`,
        type: r.pick(['page', 'track', 'screen', 'identify'] as const),
        event: null,
        profileId: randomUUID(),
        anonymousId: `a-${i}`,
        userId: null,
        timestamp: ts,
        originalTimestamp: ts,
        sentAt: ts,
        receivedAt: ts,
        futureTimestamp: false,
        sourceId: r.pick(['web', 'app']),
        touch: touched
          ? {
              channel: r.pick(CHANNELS),
              source: null,
              medium: null,
              campaign: r.pick(CAMPAIGNS),
              term: null,
              content: null,
              clickIdType: null,
              clickId: null,
              referrerHost: null,
            }
          : null,
        consent: null,
        properties: {},
        traits: {},
        context: {},
      },
    });
  }
  const orders: Order[] = [];
  const credits: Credits[] = [];
  for (let i = 0; i < 40 * size; i++) {
    const orderId = `shopify:${seed}-${i}`;
    const placedAt = at(r.pick(DAYS));
    const revisions = 1 + r.int(3);
    const currency = r.next() < 0.8 ? 'USD' : 'EUR';
    for (let revision = 1; revision <= revisions; revision++) {
      const sku = r.pick(SKUS);
      const quantity = 1 + r.int(3);
      const unit = 1000 + r.int(9000);
      const total = quantity * unit;
      const refunded = revision > 1 && r.next() < 0.4 ? unit : 0;
      const status = r.pick(['paid', 'completed', 'pending', 'cancelled', 'partially_refunded'] as const);
      orders.push({
        tenantId,
        orderId,
        revision,
        provider: 'shopify',
        sourceId: 'shop',
        reference: null,
        status,
        statusHistory: [],
        currency,
        customer: { id: `c-${r.int(25)}`, emailHash: null },
        profileId: null,
        lineItems: [{ sku, productId: null, name: `Product ${sku}`, quantity, unitPriceMinor: unit }],
        subtotalMinor: total,
        discountMinor: 0,
        taxMinor: 0,
        shippingMinor: 0,
        totalMinor: total,
        refunds: refunded
          ? [
              {
                refundId: `r-${i}`,
                amountMinor: refunded,
                createdAt: placedAt,
                lineItems: [{ sku, quantity: 1 }],
              },
            ]
          : [],
        refundedMinor: refunded,
        netRevenueMinor: total - refunded,
        placedAt,
        updatedAt: placedAt,
      });
      const creditModels = Object.fromEntries(
        MODELS.map((m) => {
          const a = r.pick(CHANNELS);
          const b = r.pick(CHANNELS);
          const share = r.next();
          const campaign = r.pick(CAMPAIGNS);
          return [
            m,
            [
              { channel: a, campaign, conversions: share, revenueMinor: share * (total - refunded) },
              {
                channel: b,
                campaign: null,
                conversions: 1 - share,
                revenueMinor: (1 - share) * (total - refunded),
              },
            ],
          ];
        }),
      ) as Credits['models'];
      credits.push({
        tenantId,
        orderId,
        revision,
        profileId: null,
        convertedAt: placedAt,
        currency,
        revenueMinor: total - refunded,
        touchpoints: 2,
        models: creditModels,
        computedAt: placedAt,
      });
    }
  }
  const spend: Spend[] = [];
  for (const day of DAYS)
    for (const channel of CHANNELS.slice(0, 3))
      for (const campaign of ['spring', '']) {
        const revisions = 1 + r.int(2);
        for (let revision = 1; revision <= revisions; revision++)
          spend.push({
            tenantId,
            date: day,
            channel,
            campaign,
            currency: revision === 2 && r.next() < 0.5 ? 'EUR' : 'USD',
            amountMinor: r.int(100_000),
            impressions: r.int(10_000),
            clicks: r.next() < 0.2 ? null : r.int(500),
            revision,
            recordedAt: `${day}T23:00:00.000Z`,
          });
      }
  return { events, orders, spend, credits };
}

export type MartRow = Record<string, number>;

const latest = <T extends { revision: number }>(facts: T[], key: (f: T) => string) => {
  const best = new Map<string, T>();
  for (const f of facts) if ((best.get(key(f))?.revision ?? 0) < f.revision) best.set(key(f), f);
  return [...best.values()];
};

/** fct_daily_channel recomputed from the raw facts, independently of the service's SQL. */
export function expectedDailyChannel(facts: Facts): Map<string, MartRow> {
  const rows = new Map<string, MartRow>();
  const row = (day: string, channel: string, campaign: string, currency: string) => {
    const k = [day, channel, campaign, currency].join('|');
    if (!rows.has(k)) rows.set(k, {});
    return rows.get(k)!;
  };
  const add = (r: MartRow, field: string, v: number) => (r[field] = (r[field] ?? 0) + v);
  const seen = new Set<string>();
  for (const { eventId, payload } of facts.events) {
    if (seen.has(eventId) || !payload.touch) continue;
    seen.add(eventId);
    const r = row(payload.timestamp.slice(0, 10), payload.touch.channel, payload.touch.campaign ?? '', 'XXX');
    add(r, 'touches', 1);
    add(r, 'sessions', payload.type === 'page' || payload.type === 'screen' ? 1 : 0);
  }
  for (const s of latest(facts.spend, (s) => [s.date, s.channel, s.campaign].join('|'))) {
    const r = row(s.date, s.channel, s.campaign, s.currency);
    add(r, 'spend_minor', s.amountMinor);
    add(r, 'impressions', s.impressions ?? 0);
    add(r, 'clicks', s.clicks ?? 0);
  }
  for (const c of latest(facts.credits, (c) => c.orderId))
    for (const m of MODELS)
      for (const credit of c.models[m]) {
        const r = row(c.convertedAt.slice(0, 10), credit.channel, credit.campaign ?? '', c.currency);
        add(r, `conv_${m}`, credit.conversions);
        add(r, `rev_${m}`, credit.revenueMinor);
      }
  for (const [k, r] of rows) if (Object.values(r).every((v) => v === 0)) rows.delete(k);
  return rows;
}

/** Net revenue and converted orders per currency, from the latest revision of each order. */
export function expectedOrderTotals(facts: Facts) {
  const totals = new Map<string, { orders: number; revenue: number }>();
  for (const o of latest(facts.orders, (o) => o.orderId)) {
    if (['pending', 'cancelled', 'failed'].includes(o.status)) continue;
    const t = totals.get(o.currency) ?? { orders: 0, revenue: 0 };
    t.orders += 1;
    t.revenue += o.netRevenueMinor;
    totals.set(o.currency, t);
  }
  return totals;
}

/**
 * From the latest revision of each order: converting orders and net revenue per day and currency
 * ("day|currency"), and the day of each customer's first converting order (customer id, else
 * email hash, else profile id).
 */
export function expectedOrderRollups(facts: Facts) {
  const daily = new Map<string, { orders: number; revenue: number }>();
  const firstOrderDay = new Map<string, string>();
  for (const o of latest(facts.orders, (o) => o.orderId)) {
    if (['pending', 'cancelled', 'failed'].includes(o.status)) continue;
    const day = o.placedAt.slice(0, 10);
    const d = daily.get(`${day}|${o.currency}`) ?? { orders: 0, revenue: 0 };
    d.orders += 1;
    d.revenue += o.netRevenueMinor;
    daily.set(`${day}|${o.currency}`, d);
    const customer = o.customer.id ?? o.customer.emailHash ?? o.profileId ?? null;
    if (customer !== null && !(firstOrderDay.get(customer)! <= day)) firstOrderDay.set(customer, day);
  }
  return { daily, firstOrderDay };
}
