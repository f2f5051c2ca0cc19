/**
 * What each layer holds for the run's tenant, read straight from the databases (admin role, so no
 * row-level security and none of the services' own counters) and from Kafka's dead-letter topics,
 * and the checks of that against the clients' ledger: every item that got a 2xx is there exactly
 * once in ingestion, reporting and attribution, nothing is there that was never sent, and no
 * dead letter exists (every item sent is valid).
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { SegmentEvent } from '@sextant/testing';
import type { Ledger } from './traffic';

export interface Measurement {
  ingestion: {
    /** message id -> event id of every tracking event accepted for the tenant. */
    trackedMessages: Map<string, string>;
    webhookDeliveries: Set<string>;
    orders: Set<string>;
    spend: Map<string, number>;
    deadLetters: number;
  };
  reporting: {
    sourceVolumeEvents: number;
    trafficTouches: number;
    processedEvents: Set<string>;
    orders: Map<string, { totalMinor: number; refundedMinor: number; netRevenueMinor: number }>;
    spend: Map<string, number>;
  };
  attribution: {
    touchpoints: Set<string>;
    processedEvents: Set<string>;
    conversions: Map<string, number>;
  };
  kafka: { deadLetterTopics: Record<string, number> };
}

export interface Check {
  layer: 'ingestion' | 'reporting' | 'attribution' | 'dead letters';
  what: string;
  expected: number;
  found: number;
  ok: boolean;
  /** Up to five examples of what is wrong. */
  problems: string[];
}

const EVENT_TOPIC = 'ingestion.event.accepted.v1';

export async function measure(
  databaseUrl: string,
  tenantId: string,
  brokers: string[],
  topicPrefix: string,
): Promise<Measurement> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = async <T>(sql: string): Promise<T[]> => (await client.query(sql, [tenantId])).rows as T[];
    const one = async (sql: string) => Number(Object.values((await rows<object>(sql))[0] ?? {})[0] ?? 0);
    const minor = (amount: string | number) => Number(amount);
    const spendRows = (table: string, day: string) =>
      rows<{ key: string; amount: string }>(
        `select ${day}::text || '|' || channel || '|' || campaign as key, amount_minor as amount
           from ${table} where tenant_id = $1`,
      );
    const processed = (schema: string) =>
      rows<{ event_id: string }>(
        `select event_id from ${schema}.processed_events
          where tenant_id = $1 and consumer_group = '${schema}' and topic = '${EVENT_TOPIC}'`,
      );
    return {
      ingestion: {
        trackedMessages: new Map(
          (
            await rows<{ message_id: string; event_id: string }>(
              'select message_id, event_id from ingestion.tracked_messages where tenant_id = $1',
            )
          ).map((r) => [r.message_id, r.event_id]),
        ),
        webhookDeliveries: new Set(
          (
            await rows<{ event_id: string }>(
              'select event_id from ingestion.webhook_deliveries where tenant_id = $1',
            )
          ).map((r) => r.event_id),
        ),
        orders: new Set(
          (
            await rows<{ order_id: string }>('select order_id from ingestion.orders where tenant_id = $1')
          ).map((r) => r.order_id),
        ),
        spend: new Map((await spendRows('ingestion.ad_spend', 'date')).map((r) => [r.key, minor(r.amount)])),
        deadLetters: await one('select count(*) from ingestion.dead_letters where tenant_id = $1'),
      },
      reporting: {
        sourceVolumeEvents: await one(
          'select coalesce(sum(events), 0) from reporting.fct_source_volume where tenant_id = $1',
        ),
        trafficTouches: await one(
          'select coalesce(sum(touches), 0) from reporting.stg_traffic where tenant_id = $1',
        ),
        processedEvents: new Set((await processed('reporting')).map((r) => r.event_id)),
        orders: new Map(
          (
            await rows<{
              order_id: string;
              total_minor: string;
              refunded_minor: string;
              net_revenue_minor: string;
            }>(
              `select order_id, total_minor, refunded_minor, net_revenue_minor
                 from reporting.fct_orders where tenant_id = $1`,
            )
          ).map((r) => [
            r.order_id,
            {
              totalMinor: minor(r.total_minor),
              refundedMinor: minor(r.refunded_minor),
              netRevenueMinor: minor(r.net_revenue_minor),
            },
          ]),
        ),
        spend: new Map((await spendRows('reporting.stg_spend', 'day')).map((r) => [r.key, minor(r.amount)])),
      },
      attribution: {
        touchpoints: new Set(
          (
            await rows<{ event_id: string }>(
              'select event_id from attribution.touchpoints where tenant_id = $1',
            )
          ).map((r) => r.event_id),
        ),
        processedEvents: new Set((await processed('attribution')).map((r) => r.event_id)),
        conversions: new Map(
          (
            await rows<{ order_id: string; revenue_minor: string }>(
              'select order_id, revenue_minor from attribution.conversions where tenant_id = $1',
            )
          ).map((r) => [r.order_id, minor(r.revenue_minor)]),
        ),
      },
      kafka: { deadLetterTopics: await deadLetterMessages(brokers, topicPrefix) },
    };
  } finally {
    await client.end();
  }
}

/** Messages in each of the run's dead-letter topics (`<topic>.<group>.dlt`). */
async function deadLetterMessages(brokers: string[], topicPrefix: string): Promise<Record<string, number>> {
  const admin = new Kafka({ brokers, clientId: 'chaos-count', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix) && t.endsWith('.dlt'));
    const counts: Record<string, number> = {};
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      counts[topic] = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}

/**
 * An event carries a marketing touch when its page came from a campaign (UTM parameters, a click
 * id) or an outside referrer; a direct visit does not. Read from what the simulator sent.
 */
export function carriesTouch(event: SegmentEvent): boolean {
  const page = event.context?.page as { url?: string; referrer?: string } | undefined;
  if (event.type !== 'page' || !page?.url) return false;
  const url = new URL(page.url);
  return url.searchParams.has('utm_source') || url.searchParams.has('gclid') || !!page.referrer;
}

const cents = (amount: number) => Math.round(amount * 100);
const sample = (values: Iterable<string>) => [...values].slice(0, 5);

/** Per layer: nothing acknowledged is missing, nothing is counted twice, nothing was invented. */
export function verify(ledger: Ledger, m: Measurement): Check[] {
  const checks: Check[] = [];
  const check = (layer: Check['layer'], what: string, expected: number, found: number, problems: string[]) =>
    checks.push({ layer, what, expected, found, ok: problems.length === 0, problems: problems.slice(0, 5) });

  // Events. Stored: what ingestion accepted (one row per message id); it must hold every
  // acknowledged event and nothing never sent. Events stored without a 2xx (the client gave up
  // after ingestion had committed) count downstream too: each stored event exactly once.
  const stored = m.ingestion.trackedMessages;
  const missing = [...ledger.acknowledgedEvents].filter((id) => !stored.has(id));
  const invented = [...stored.keys()].filter((id) => !ledger.attemptedEvents.has(id));
  check(
    'ingestion',
    'tracking events (acknowledged -> accepted, one per messageId)',
    ledger.acknowledgedEvents.size,
    stored.size,
    [
      ...missing.map((id) => `acknowledged ${id} not accepted`),
      ...invented.map((id) => `accepted ${id} never sent`),
    ],
  );
  const eventIds = new Set(stored.values());
  const touchIds = new Set(
    [...stored]
      .filter(([id]) => ledger.attemptedEvents.has(id) && carriesTouch(ledger.attemptedEvents.get(id)!))
      .map(([, eventId]) => eventId),
  );
  const sameSet = (expected: Set<string>, found: Set<string>, noun: string) => [
    ...sample([...expected].filter((id) => !found.has(id))).map((id) => `${noun} ${id} missing`),
    ...sample([...found].filter((id) => !expected.has(id))).map((id) => `${noun} ${id} unexpected`),
  ];
  check(
    'reporting',
    'events in source volume (sum of fct_source_volume.events)',
    stored.size,
    m.reporting.sourceVolumeEvents,
    m.reporting.sourceVolumeEvents === stored.size
      ? []
      : [`${m.reporting.sourceVolumeEvents - stored.size} events off`],
  );
  check(
    'reporting',
    'events applied (processed_events)',
    eventIds.size,
    m.reporting.processedEvents.size,
    sameSet(eventIds, m.reporting.processedEvents, 'event'),
  );
  check(
    'reporting',
    'touches in traffic (sum of stg_traffic.touches)',
    touchIds.size,
    m.reporting.trafficTouches,
    m.reporting.trafficTouches === touchIds.size
      ? []
      : [`${m.reporting.trafficTouches - touchIds.size} touches off`],
  );
  check(
    'attribution',
    'events applied (processed_events)',
    eventIds.size,
    m.attribution.processedEvents.size,
    sameSet(eventIds, m.attribution.processedEvents, 'event'),
  );
  check(
    'attribution',
    'touchpoints (one per touch event)',
    touchIds.size,
    m.attribution.touchpoints.size,
    sameSet(touchIds, m.attribution.touchpoints, 'touchpoint'),
  );

  // Webhooks: one delivery row per Shopify event id; each order's amounts exactly as sent (a
  // refund applied twice would double refunded_minor, a lost one leave it 0).
  const deliveries = m.ingestion.webhookDeliveries;
  check(
    'ingestion',
    'webhook deliveries (acknowledged -> recorded, one per event id)',
    ledger.acknowledgedDeliveries.size,
    deliveries.size,
    [
      ...sample([...ledger.acknowledgedDeliveries].filter((id) => !deliveries.has(id))).map(
        (id) => `delivery ${id} missing`,
      ),
      ...sample([...deliveries].filter((id) => !ledger.attemptedDeliveries.has(id))).map(
        (id) => `delivery ${id} never sent`,
      ),
    ],
  );
  const expectedOrders = new Map<string, { total: number; refunds: Set<number> }>();
  const sentOrderIds = new Set<string>();
  for (const [id, { kind, order }] of ledger.attemptedDeliveries) {
    const orderId = `shopify:${order.orderId}`;
    sentOrderIds.add(orderId);
    if (kind === 'orders' && ledger.acknowledgedDeliveries.has(id))
      expectedOrders.set(orderId, { total: cents(order.total), refunds: new Set([0]) });
  }
  for (const [id, { kind, order }] of ledger.attemptedDeliveries) {
    const expected = expectedOrders.get(`shopify:${order.orderId}`);
    if (kind !== 'refunds' || !expected) continue;
    // Acknowledged: the refund must be there; sent without a 2xx: it may or may not be.
    if (ledger.acknowledgedDeliveries.has(id)) expected.refunds.delete(0);
    expected.refunds.add(cents(order.refund!.amount));
  }
  const orderProblems = (found: Map<string, { total?: number; refunded?: number; net: number }>) => {
    const problems: string[] = [];
    for (const [orderId, want] of expectedOrders) {
      const got = found.get(orderId);
      if (!got) problems.push(`order ${orderId} missing`);
      else if (got.total !== undefined && got.total !== want.total)
        problems.push(`order ${orderId} total ${got.total}, sent ${want.total}`);
      else if (![...want.refunds].some((refund) => got.net === want.total - refund))
        problems.push(
          `order ${orderId} net ${got.net}, sent ${want.total} - ${[...want.refunds].join(' or ')}`,
        );
    }
    for (const orderId of found.keys())
      if (!sentOrderIds.has(orderId)) problems.push(`order ${orderId} never sent`);
    return problems;
  };
  check(
    'ingestion',
    'orders (acknowledged orders/create -> stored order)',
    expectedOrders.size,
    m.ingestion.orders.size,
    [
      ...sample([...expectedOrders.keys()].filter((id) => !m.ingestion.orders.has(id))).map(
        (id) => `order ${id} missing`,
      ),
      ...sample([...m.ingestion.orders].filter((id) => !sentOrderIds.has(id))).map(
        (id) => `order ${id} never sent`,
      ),
    ],
  );
  const reportedOrders = new Map(
    [...m.reporting.orders].map(([id, o]) => [
      id,
      { total: o.totalMinor, refunded: o.refundedMinor, net: o.netRevenueMinor },
    ]),
  );
  check(
    'reporting',
    'orders in fct_orders, amounts net of refunds as sent',
    expectedOrders.size,
    reportedOrders.size,
    orderProblems(reportedOrders),
  );
  const conversions = new Map([...m.attribution.conversions].map(([id, net]) => [id, { net }]));
  check(
    'attribution',
    'conversions, revenue net of refunds as sent',
    expectedOrders.size,
    conversions.size,
    orderProblems(conversions),
  );

  // Spend: each acknowledged row with its amount (uploads are upserts: a retry changes nothing).
  const spendProblems = (found: Map<string, number>) => [
    ...[...ledger.acknowledgedSpend]
      .filter((key) => found.get(key) !== cents(ledger.attemptedSpend.get(key)!.amount))
      .map(
        (key) =>
          `spend ${key}: ${found.get(key) ?? 'missing'}, sent ${cents(ledger.attemptedSpend.get(key)!.amount)}`,
      ),
    ...[...found.keys()]
      .filter((key) => !ledger.attemptedSpend.has(key))
      .map((key) => `spend ${key} never sent`),
  ];
  check(
    'ingestion',
    'spend rows (ad_spend)',
    ledger.acknowledgedSpend.size,
    m.ingestion.spend.size,
    spendProblems(m.ingestion.spend),
  );
  check(
    'reporting',
    'spend rows (stg_spend)',
    ledger.acknowledgedSpend.size,
    m.reporting.spend.size,
    spendProblems(m.reporting.spend),
  );

  // Dead letters: every item sent is valid, so none may exist anywhere.
  check(
    'dead letters',
    'ingestion.dead_letters rows',
    0,
    m.ingestion.deadLetters,
    m.ingestion.deadLetters ? [`${m.ingestion.deadLetters} dead letters`] : [],
  );
  const dlt = Object.entries(m.kafka.deadLetterTopics).filter(([, n]) => n > 0);
  const dltTotal = dlt.reduce((sum, [, n]) => sum + n, 0);
  check(
    'dead letters',
    'messages in Kafka dead-letter topics',
    0,
    dltTotal,
    dlt.map(([topic, n]) => `${topic}: ${n}`),
  );
  return checks;
}

/** Revenue totals for the report (minor units): as sent (acknowledged), as reported, as attributed. */
export function revenue(ledger: Ledger, m: Measurement) {
  let sent = 0;
  for (const [id, { kind, order }] of ledger.attemptedDeliveries) {
    if (!ledger.acknowledgedDeliveries.has(id)) continue;
    sent += kind === 'orders' ? cents(order.total) : -cents(order.refund!.amount);
  }
  const reported = [...m.reporting.orders.values()].reduce((sum, o) => sum + o.netRevenueMinor, 0);
  const attributed = [...m.attribution.conversions.values()].reduce((sum, net) => sum + net, 0);
  return { sentMinor: sent, reportedMinor: reported, conversionsMinor: attributed };
}
