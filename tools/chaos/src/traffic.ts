/**
 * Steady load from the simulated store, sent the way real integrations send it: Segment batches
 * with the ingest key, Shopify `orders/create` and `refunds/create` webhooks signed with the
 * source's secret, and each day's ad spend. A request that fails with a network error, a timeout,
 * a 5xx or a 429 is retried with the same body (so the same messageIds, the same Shopify event id),
 * as a Segment library or Shopify would; a 4xx other than 429 is final. The ledger records, per
 * kind, what was sent and what got a 2xx: the client's side of the count, kept independent of
 * every counter of the system under test.
 */
import {
  shopifyOrderBody,
  shopifyRefundBody,
  type SegmentEvent,
  type SimulatedOrder,
  type World,
} from '@sextant/testing';
import { createHmac, randomUUID } from 'node:crypto';

export type Kind = 'events' | 'orders' | 'refunds' | 'spend';
export const KINDS: Kind[] = ['events', 'orders', 'refunds', 'spend'];

export type Item =
  | { kind: 'events'; events: SegmentEvent[] }
  | { kind: 'orders' | 'refunds'; order: SimulatedOrder; deliveryId: string }
  | { kind: 'spend'; date: string; rows: World['spend'] };

export interface Tally {
  /** HTTP requests made (retries included) and how they ended. */
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  networkErrors: number;
  /** Items (events, webhooks, spend uploads) sent at least once / answered 2xx at last. */
  items: number;
  acknowledged: number;
  /** Items refused for good (a 4xx other than 408/429) / still failing when the retry time was up. */
  refused: number;
  gaveUp: number;
  /** Items that needed more than one request. */
  retried: number;
  /** Events ingestion answered as duplicates: a retry of a batch it had committed before failing. */
  duplicatesReported: number;
}

const emptyTally = (): Tally => ({
  requests: 0,
  ok: 0,
  statuses: {},
  networkErrors: 0,
  items: 0,
  acknowledged: 0,
  refused: 0,
  gaveUp: 0,
  retried: 0,
  duplicatesReported: 0,
});

/** What the clients sent and what got a 2xx, by id. */
export class Ledger {
  readonly tally = Object.fromEntries(KINDS.map((k) => [k, emptyTally()])) as Record<Kind, Tally>;
  readonly attemptedEvents = new Map<string, SegmentEvent>();
  readonly acknowledgedEvents = new Set<string>();
  /** Shopify event ids (the delivery's dedup key) of every webhook sent, with its order. */
  readonly attemptedDeliveries = new Map<string, { kind: 'orders' | 'refunds'; order: SimulatedOrder }>();
  readonly acknowledgedDeliveries = new Set<string>();
  readonly attemptedSpend = new Map<string, World['spend'][number]>();
  readonly acknowledgedSpend = new Set<string>();
}

export const spendKey = (row: { date: string; channel: string; campaign: string }) =>
  `${row.date}|${row.channel}|${row.campaign}`;

/** The world as one time-ordered stream: event batches, webhooks at their time, spend at day end. */
export function timeline(world: World, batchSize: number): Item[] {
  const DAY = 86_400_000;
  const dayOf = (date: Date) => Math.floor((date.getTime() - world.start.getTime()) / DAY);
  type Timed = { at: number; item: Item | SegmentEvent };
  const byDay: Timed[][] = Array.from({ length: world.days }, () => []);
  world.events.forEach((events, day) =>
    events.forEach((event) => byDay[day].push({ at: Date.parse(event.timestamp), item: event })),
  );
  for (const order of world.orders) {
    const day = dayOf(order.placedAt);
    if (day < world.days)
      byDay[day].push({
        at: order.placedAt.getTime(),
        item: { kind: 'orders', order, deliveryId: randomUUID() },
      });
    if (order.refund && dayOf(order.refund.at) < world.days)
      byDay[dayOf(order.refund.at)].push({
        at: order.refund.at.getTime(),
        item: { kind: 'refunds', order, deliveryId: randomUUID() },
      });
  }
  const items: Item[] = [];
  byDay.forEach((entries, day) => {
    entries.sort((a, b) => a.at - b.at);
    let batch: SegmentEvent[] = [];
    const flush = () => {
      if (batch.length) items.push({ kind: 'events', events: batch });
      batch = [];
    };
    for (const { item } of entries) {
      if ('kind' in item) {
        flush();
        items.push(item);
      } else {
        batch.push(item);
        if (batch.length >= batchSize) flush();
      }
    }
    flush();
    const date = new Date(world.start.getTime() + day * DAY).toISOString().slice(0, 10);
    const rows = world.spend.filter((row) => row.date === date);
    if (rows.length) items.push({ kind: 'spend', date, rows });
  });
  return items;
}

/** Load units of an item: events count one each, a webhook or a spend upload one. */
export const units = (item: Item) => (item.kind === 'events' ? item.events.length : 1);

export interface Target {
  gatewayUrl: string;
  ingestKey: string;
  webhookSourceId: string;
  shopifySecret: string;
  currency: string;
  /** A fresh access token of the tenant's owner (for spend uploads). */
  token(): Promise<string>;
}

export interface DriverOptions {
  /** Load units per second (events, plus one per webhook and spend upload). */
  rate: number;
  /** Requests in flight at most (retries included); beyond it the sender waits. */
  concurrency: number;
  /** How long one item is retried before the client gives up on it. */
  retryForMs: number;
  requestTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoadDriver {
  readonly ledger = new Ledger();
  private stopping = false;
  private inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private startedAt = 0;
  private unitsSent = 0;
  /** The world ran out before the run ended. */
  exhausted = false;

  constructor(
    private readonly target: Target,
    private readonly items: Item[],
    private readonly options: DriverOptions,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.loop = this.send();
  }

  /** Stops sending new items, then waits for every item in flight (retries included) to end. */
  async stop(): Promise<{ seconds: number; unitsSent: number; rate: number }> {
    this.stopping = true;
    await this.loop;
    const seconds = (performance.now() - this.startedAt) / 1000;
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
    return { seconds, unitsSent: this.unitsSent, rate: this.unitsSent / seconds };
  }

  private async send(): Promise<void> {
    for (const item of this.items) {
      if (this.stopping) return;
      const due = this.startedAt + (this.unitsSent / this.options.rate) * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
      while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
      if (this.stopping) return;
      this.unitsSent += units(item);
      const sending = this.deliver(item).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
    this.exhausted = true;
  }

  private async deliver(item: Item): Promise<void> {
    const { ledger } = this;
    const tally = ledger.tally[item.kind];
    tally.items += 1;
    switch (item.kind) {
      case 'events': {
        for (const event of item.events) ledger.attemptedEvents.set(event.messageId, event);
        const body = JSON.stringify({ batch: item.events });
        const authorization = `Basic ${Buffer.from(`${this.target.ingestKey}:`).toString('base64')}`;
        const answer = await this.request(tally, async () =>
          this.post('/api/v1/ingestion/v1/batch', body, { authorization }),
        );
        if (answer) {
          for (const event of item.events) ledger.acknowledgedEvents.add(event.messageId);
          tally.duplicatesReported += Number((answer as { duplicates?: number }).duplicates ?? 0);
        }
        return;
      }
      case 'orders':
      case 'refunds': {
        ledger.attemptedDeliveries.set(`shopify:${item.deliveryId}`, { kind: item.kind, order: item.order });
        const raw = JSON.stringify(
          item.kind === 'orders'
            ? shopifyOrderBody(item.order, this.target.currency)
            : shopifyRefundBody(item.order, this.target.currency),
        );
        const headers = {
          'x-shopify-topic': item.kind === 'orders' ? 'orders/create' : 'refunds/create',
          'x-shopify-hmac-sha256': createHmac('sha256', this.target.shopifySecret)
            .update(raw)
            .digest('base64'),
          'x-shopify-event-id': item.deliveryId,
          'x-shopify-webhook-id': item.deliveryId,
          'x-shopify-shop-domain': 'chaos-store.myshopify.com',
        };
        const answer = await this.request(tally, () =>
          this.post(`/api/v1/ingestion/webhooks/shopify/${this.target.webhookSourceId}`, raw, headers),
        );
        if (answer) ledger.acknowledgedDeliveries.add(`shopify:${item.deliveryId}`);
        return;
      }
      case 'spend': {
        for (const row of item.rows) ledger.attemptedSpend.set(spendKey(row), row);
        const body = JSON.stringify({
          rows: item.rows.map((row) => ({ ...row, amount: row.amount.toFixed(2) })),
        });
        const answer = await this.request(tally, async () =>
          this.post('/api/v1/ingestion/spend', body, {
            authorization: `Bearer ${await this.target.token()}`,
          }),
        );
        if (answer) for (const row of item.rows) ledger.acknowledgedSpend.add(spendKey(row));
        return;
      }
    }
  }

  private post(path: string, body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${this.target.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs),
    });
  }

  /** Sends until a 2xx (its parsed body), a final 4xx or the retry time is up (undefined). */
  private async request(tally: Tally, send: () => Promise<Response>): Promise<unknown> {
    const deadline = Date.now() + this.options.retryForMs;
    for (let attempt = 0; ; attempt++) {
      if (attempt === 1) tally.retried += 1;
      let status: number | undefined;
      try {
        tally.requests += 1;
        const response = await send();
        const text = await response.text();
        status = response.status;
        tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
        if (response.ok) {
          tally.ok += 1;
          tally.acknowledged += 1;
          return text ? JSON.parse(text) : {};
        }
      } catch {
        tally.networkErrors += 1;
      }
      const retryable = status === undefined || status >= 500 || status === 429 || status === 408;
      if (!retryable || Date.now() > deadline) {
        tally[retryable ? 'gaveUp' : 'refused'] += 1;
        return undefined;
      }
      await sleep(Math.min(2_000, 200 * 2 ** attempt));
    }
  }
}
