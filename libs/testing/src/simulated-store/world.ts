/**
 * Channels carry the names of the default channel grouping (GA4's), the names ingestion gives
 * tracked touches, so spend and touches of one channel meet in reports.
 *
 * A seeded simulator of one online store with known ground truth: what the demo tenant of
 * `./tools/dev up`, the whole-system tests and the load benchmarks send through the public API.
 *
 * Generating process (all draws from one seed):
 * - Paid channels spend every day: s_c(t) = base_c (1 + 0.25 sin(2 pi t / 7 + phase_c)) times a
 *   weekly budget exp(0.35 x_c(w)), x_c an AR(1) per channel (x(w) = 0.6 x(w-1) + 0.8 e, e ~ N(0,1),
 *   independent across channels: budgets move week to week as an advertiser's do, which is what
 *   lets a weekly marketing-mix model tell the channels apart), times a flight multiplier (on/off
 *   weeks for display). Spend reaches people through geometric adstock
 *   a_c(t) = s_c(t) + alpha_c a_c(t-1) and exponential saturation: new visitors brought by c on day
 *   t ~ Poisson(reach_c (1 - exp(-a_c(t) / half_c))). Organic search, referral and direct bring new
 *   visitors at a steady Poisson rate (the baseline).
 * - Every visitor has an anonymous id, lands with the touch of the channel that brought them (UTM
 *   parameters and a click id for paid channels, a referrer for organic and referral), and returns
 *   on later days through direct, email or organic visits (each return a touch).
 * - A visitor buys at most once, at one of their visits, with a probability set by the channel that
 *   brought them (the acquisition channel); they identify (userId + email) at checkout; the order
 *   comes as a Shopify `orders/create` webhook; about 6% are later refunded in part or in full.
 * - Line items are drawn from SKUs of every demand class (smooth, erratic, intermittent, lumpy),
 *   so forecasting sees each pattern.
 *
 * Ground truth: a visitor exists only because the channel that acquired them did, so the channel's
 * incremental revenue is the net revenue of the visitors it acquired, and its ROI is that revenue
 * over its spend.
 */
import { SeededRandom } from '@sextant/domain/forecasting';

export const PAID_CHANNELS = ['Paid Search', 'Paid Social', 'Display', 'Email'] as const;
export const ORGANIC_CHANNELS = ['Organic Search', 'Referral', 'Direct'] as const;
export type Channel = (typeof PAID_CHANNELS)[number] | (typeof ORGANIC_CHANNELS)[number];

interface PaidChannelTruth {
  baseSpend: number;
  adstockAlpha: number;
  halfSaturation: number;
  reach: number;
  conversionRate: number;
  campaigns: string[];
  utm: { source: string; medium: string };
  clickId?: 'gclid' | 'fbclid';
}

const PAID: Record<(typeof PAID_CHANNELS)[number], PaidChannelTruth> = {
  'Paid Search': {
    baseSpend: 600,
    adstockAlpha: 0.2,
    halfSaturation: 900,
    reach: 120,
    conversionRate: 0.09,
    campaigns: ['brand', 'generic'],
    utm: { source: 'google', medium: 'cpc' },
    clickId: 'gclid',
  },
  'Paid Social': {
    baseSpend: 450,
    adstockAlpha: 0.5,
    halfSaturation: 1200,
    reach: 140,
    conversionRate: 0.05,
    campaigns: ['prospecting', 'retargeting'],
    utm: { source: 'facebook', medium: 'Paid Social' },
    clickId: 'fbclid',
  },
  Display: {
    baseSpend: 300,
    adstockAlpha: 0.7,
    halfSaturation: 1500,
    reach: 90,
    conversionRate: 0.025,
    campaigns: ['awareness'],
    utm: { source: 'dv360', medium: 'Display' },
  },
  Email: {
    baseSpend: 60,
    adstockAlpha: 0.1,
    halfSaturation: 80,
    reach: 25,
    conversionRate: 0.12,
    campaigns: ['newsletter'],
    utm: { source: 'newsletter', medium: 'Email' },
  },
};

const ORGANIC: Record<(typeof ORGANIC_CHANNELS)[number], { dailyVisitors: number; conversionRate: number }> =
  {
    'Organic Search': { dailyVisitors: 60, conversionRate: 0.06 },
    Referral: { dailyVisitors: 15, conversionRate: 0.05 },
    Direct: { dailyVisitors: 25, conversionRate: 0.08 },
  };

export interface Sku {
  sku: string;
  name: string;
  unitPrice: number;
  /** The demand pattern it is drawn with. */
  pattern: 'smooth' | 'erratic' | 'intermittent' | 'lumpy';
}

export interface SegmentEvent {
  type: 'page' | 'identify' | 'track';
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  event?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export interface SimulatedOrder {
  orderId: number;
  placedAt: Date;
  customer: { id: number; email: string; userId: string; anonymousId: string };
  acquiredBy: Channel;
  /** Every visit of the buyer (landing and returns, before and after buying), as tracked. */
  visits: { channel: Channel; at: Date }[];
  lineItems: { sku: string; name: string; quantity: number; unitPrice: number }[];
  total: number;
  refund?: { refundId: number; at: Date; amount: number };
}

export interface SpendRow {
  date: string;
  channel: Channel;
  campaign: string;
  currency: string;
  amount: number;
}

export interface World {
  start: Date;
  days: number;
  currency: string;
  skus: Sku[];
  /** Tracking events per day, in time order. */
  events: SegmentEvent[][];
  orders: SimulatedOrder[];
  spend: SpendRow[];
  truth: {
    /** Per channel: spend, incremental (net) revenue of the visitors it acquired, ROI. */
    channels: Record<Channel, { spend: number; revenue: number; roi: number | null; visitors: number }>;
    revenue: number;
    refunds: number;
    netRevenue: number;
  };
}

export interface WorldOptions {
  seed?: number;
  days?: number;
  /** First simulated day (UTC midnight); default: `days` days before today. */
  start?: Date;
  /** Multiplies every visitor rate (0.1 for a small world, 10 for a load test). */
  scale?: number;
}

const DAY = 86_400_000;
const round2 = (x: number) => Math.round(x * 100) / 100;

function makeSkus(random: SeededRandom): Sku[] {
  const patterns: Sku['pattern'][] = [
    'smooth',
    'smooth',
    'smooth',
    'erratic',
    'erratic',
    'intermittent',
    'intermittent',
    'lumpy',
  ];
  return Array.from({ length: 24 }, (_, i) => ({
    sku: `SKU-${String(i + 1).padStart(3, '0')}`,
    name: `Product ${i + 1}`,
    unitPrice: round2(8 + random.uniform() * 120),
    pattern: patterns[i % patterns.length],
  }));
}

/** Line items of one order: smooth SKUs are common, intermittent rare, lumpy rare and in bulk. */
function drawLineItems(random: SeededRandom, skus: Sku[]): SimulatedOrder['lineItems'] {
  const weight = { smooth: 8, erratic: 4, intermittent: 0.6, lumpy: 0.3 };
  const total = skus.reduce((sum, s) => sum + weight[s.pattern], 0);
  const count = 1 + (random.uniform() < 0.35 ? 1 : 0) + (random.uniform() < 0.1 ? 1 : 0);
  const items = new Map<string, SimulatedOrder['lineItems'][number]>();
  for (let i = 0; i < count; i++) {
    let pick = random.uniform() * total;
    const sku = skus.find((s) => (pick -= weight[s.pattern]) < 0) ?? skus[0];
    const quantity =
      sku.pattern === 'lumpy'
        ? 3 + random.poisson(8)
        : sku.pattern === 'erratic'
          ? 1 + random.poisson(1.5)
          : 1 + random.poisson(0.3);
    const existing = items.get(sku.sku);
    if (existing) existing.quantity += quantity;
    else items.set(sku.sku, { sku: sku.sku, name: sku.name, quantity, unitPrice: sku.unitPrice });
  }
  return [...items.values()];
}

export function simulateWorld(options: WorldOptions = {}): World {
  const seed = options.seed ?? 1;
  const days = options.days ?? 120;
  const scale = options.scale ?? 1;
  const random = new SeededRandom(seed);
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const start = options.start ?? new Date(today - days * DAY);
  const skus = makeSkus(random);
  const channels = [...PAID_CHANNELS, ...ORGANIC_CHANNELS];
  const truth = Object.fromEntries(
    channels.map((c) => [c, { spend: 0, revenue: 0, roi: null as number | null, visitors: 0 }]),
  ) as World['truth']['channels'];
  const events: SegmentEvent[][] = Array.from({ length: days }, () => []);
  const spend: SpendRow[] = [];
  const orders: SimulatedOrder[] = [];
  const adstock = Object.fromEntries(PAID_CHANNELS.map((c) => [c, 0])) as Record<string, number>;
  const phase = Object.fromEntries(PAID_CHANNELS.map((c) => [c, random.uniform() * 2 * Math.PI]));
  const budgetState = Object.fromEntries(PAID_CHANNELS.map((c) => [c, random.normal()])) as Record<
    string,
    number
  >;
  let messageCounter = 0;
  let visitorCounter = 0;
  const messageId = () => `sim-${seed}-${++messageCounter}`;
  const at = (day: number) => new Date(start.getTime() + day * DAY + Math.floor(random.uniform() * DAY));

  const touchContext = (channel: Channel, campaign: string | undefined): Record<string, unknown> => {
    const url = new URL(`https://shop.example.com/products/${1 + random.integer(0, 23)}`);
    const context: Record<string, unknown> = {
      userAgent: 'Mozilla/5.0 (sextant-simulator)',
      ip: '203.0.113.7',
    };
    if (channel in PAID) {
      const paid = PAID[channel as keyof typeof PAID];
      url.searchParams.set('utm_source', paid.utm.source);
      url.searchParams.set('utm_medium', paid.utm.medium);
      url.searchParams.set('utm_campaign', campaign ?? paid.campaigns[0]);
      if (paid.clickId) url.searchParams.set(paid.clickId, `sim${seed}x${messageCounter}`);
      context.campaign = { source: paid.utm.source, medium: paid.utm.medium, name: campaign };
    }
    const referrer =
      channel === 'Organic Search'
        ? 'https://www.google.com/'
        : channel === 'Referral'
          ? 'https://blog.example.org/review'
          : undefined;
    context.page = { url: url.toString(), path: url.pathname, referrer: referrer ?? '', title: 'Shop' };
    return context;
  };

  for (let day = 0; day < days; day++) {
    const date = new Date(start.getTime() + day * DAY).toISOString().slice(0, 10);
    const arrivals: { channel: Channel; campaign?: string }[] = [];
    if (day > 0 && day % 7 === 0)
      for (const channel of PAID_CHANNELS)
        budgetState[channel] = 0.6 * budgetState[channel] + 0.8 * random.normal();
    for (const channel of PAID_CHANNELS) {
      const paid = PAID[channel];
      const budget = Math.exp(0.35 * budgetState[channel]);
      const flight = channel === 'Display' && Math.floor(day / 14) % 2 === 1 ? 0.15 : 1;
      const weekly = 1 + 0.25 * Math.sin((2 * Math.PI * day) / 7 + phase[channel]);
      const dailySpend = round2(
        paid.baseSpend * budget * weekly * flight * (0.85 + 0.3 * random.uniform()) * scale,
      );
      adstock[channel] = dailySpend + paid.adstockAlpha * adstock[channel];
      const visitors = random.poisson(
        paid.reach * scale * (1 - Math.exp(-adstock[channel] / (paid.halfSaturation * scale))),
      );
      for (const [i, campaign] of paid.campaigns.entries()) {
        const share = paid.campaigns.length === 1 ? 1 : i === 0 ? 0.4 : 0.6;
        const amount = round2(dailySpend * share);
        spend.push({ date, channel, campaign, currency: 'USD', amount });
        truth[channel].spend += amount;
      }
      for (let v = 0; v < visitors; v++)
        arrivals.push({ channel, campaign: paid.campaigns[random.integer(0, paid.campaigns.length - 1)] });
    }
    for (const channel of ORGANIC_CHANNELS)
      for (let v = random.poisson(ORGANIC[channel].dailyVisitors * scale); v > 0; v--)
        arrivals.push({ channel });

    for (const arrival of arrivals) {
      const visitor = ++visitorCounter;
      const anonymousId = `anon-${seed}-${visitor}`;
      truth[arrival.channel].visitors += 1;
      const conversionRate =
        arrival.channel in PAID
          ? PAID[arrival.channel as keyof typeof PAID].conversionRate
          : ORGANIC[arrival.channel as keyof typeof ORGANIC].conversionRate;
      // Visits: the landing touch, then 0..3 returns within three weeks.
      const visits = [{ day, channel: arrival.channel, campaign: arrival.campaign }];
      for (let r = random.poisson(0.8); r > 0; r--) {
        const returnDay = day + 1 + random.integer(0, 20);
        const u = random.uniform();
        const channel: Channel = u < 0.55 ? 'Direct' : u < 0.8 ? 'Email' : 'Organic Search';
        visits.push({ day: returnDay, channel, campaign: channel === 'Email' ? 'newsletter' : undefined });
      }
      visits.sort((a, b) => a.day - b.day);
      const buys = random.uniform() < conversionRate;
      const buyingVisit = buys ? random.integer(0, visits.length - 1) : -1;
      const tracked: { channel: Channel; at: Date }[] = [];
      let order: SimulatedOrder | undefined;
      for (const [i, visit] of visits.entries()) {
        if (visit.day >= days) break;
        const time = at(visit.day);
        tracked.push({ channel: visit.channel, at: time });
        events[visit.day].push({
          type: 'page',
          messageId: messageId(),
          anonymousId,
          timestamp: time.toISOString(),
          properties: { title: 'Shop' },
          context: touchContext(visit.channel, visit.campaign),
        });
        if (i !== buyingVisit) continue;
        const customerId = 900_000 + visitor;
        const email = `customer${visitor}@example.com`;
        const userId = `user-${seed}-${visitor}`;
        const placedAt = new Date(time.getTime() + 5 * 60_000);
        events[visit.day].push({
          type: 'identify',
          messageId: messageId(),
          anonymousId,
          userId,
          timestamp: new Date(time.getTime() + 4 * 60_000).toISOString(),
          traits: { email },
        });
        const lineItems = drawLineItems(random, skus);
        const total = round2(lineItems.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0));
        order = {
          orderId: 5_000_000 + orders.length + 1,
          placedAt,
          customer: { id: customerId, email, userId, anonymousId },
          acquiredBy: arrival.channel,
          visits: tracked,
          lineItems,
          total,
        };
        if (random.uniform() < 0.06) {
          const refundDay = Math.min(days - 1, visit.day + 2 + random.integer(0, 10));
          const amount = round2(random.uniform() < 0.5 ? total : total * (0.2 + 0.6 * random.uniform()));
          const refund = { refundId: 7_000_000 + orders.length + 1, at: at(refundDay), amount };
          // A refund must come after its order and inside the simulated days (the loader sends day by
          // day); an order of the last hours that would be refunded later keeps its revenue.
          if (refund.at > placedAt) order.refund = refund;
        }
        orders.push(order);
        truth[arrival.channel].revenue += total - (order.refund?.amount ?? 0);
      }
    }
    events[day].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }
  for (const channel of channels) {
    const t = truth[channel];
    t.spend = round2(t.spend);
    t.revenue = round2(t.revenue);
    t.roi = t.spend > 0 ? t.revenue / t.spend : null;
  }
  const revenue = round2(orders.reduce((sum, o) => sum + o.total, 0));
  const refunds = round2(orders.reduce((sum, o) => sum + (o.refund?.amount ?? 0), 0));
  return {
    start,
    days,
    currency: 'USD',
    skus,
    events,
    orders,
    spend,
    truth: { channels: truth, revenue, refunds, netRevenue: round2(revenue - refunds) },
  };
}

/** The order as Shopify's `orders/create` webhook body (the fields Sextant reads; REST Admin API shape). */
export function shopifyOrderBody(order: SimulatedOrder, currency: string): Record<string, unknown> {
  const money = (x: number) => x.toFixed(2);
  return {
    id: order.orderId,
    admin_graphql_api_id: `gid://shopify/Order/${order.orderId}`,
    name: `#${order.orderId}`,
    email: order.customer.email,
    created_at: order.placedAt.toISOString(),
    updated_at: order.placedAt.toISOString(),
    currency,
    financial_status: 'paid',
    cancelled_at: null,
    total_line_items_price: money(order.total),
    subtotal_price: money(order.total),
    total_discounts: '0.00',
    total_tax: '0.00',
    total_price: money(order.total),
    total_shipping_price_set: {
      shop_money: { amount: '0.00', currency_code: currency },
      presentment_money: { amount: '0.00', currency_code: currency },
    },
    customer: { id: order.customer.id, email: order.customer.email },
    line_items: order.lineItems.map((item, i) => ({
      id: order.orderId * 10 + i,
      product_id: Number(item.sku.slice(4)),
      name: item.name,
      sku: item.sku,
      price: money(item.unitPrice),
      quantity: item.quantity,
    })),
    refunds: [],
  };
}

/** The refund as Shopify's `refunds/create` webhook body. */
export function shopifyRefundBody(order: SimulatedOrder, currency: string): Record<string, unknown> {
  const refund = order.refund!;
  return {
    id: refund.refundId,
    order_id: order.orderId,
    created_at: refund.at.toISOString(),
    processed_at: refund.at.toISOString(),
    refund_line_items: [],
    transactions: [
      {
        id: refund.refundId * 10,
        kind: 'refund',
        status: 'success',
        amount: refund.amount.toFixed(2),
        currency,
        gateway: 'simulator',
      },
    ],
  };
}
