import type { EventPayloads } from '@sextant/contracts';
import type { EntityManager } from 'typeorm';

type Accepted = EventPayloads['ingestion.event.accepted.v1'];
type Order = EventPayloads['commerce.order.recorded.v1'];
type Spend = EventPayloads['marketing.spend.recorded.v1'];
type Credits = EventPayloads['attribution.credit.computed.v1'];

/** The rule-based models the credits carry; fct_daily_channel has a conv_/rev_ column per model. */
export const RULE_BASED_MODELS = [
  'first_touch',
  'last_touch',
  'last_non_direct',
  'linear',
  'time_decay',
  'position_based',
] as const;
export type RuleBasedModel = (typeof RULE_BASED_MODELS)[number];

/** Traffic carries no money: its rows sit under ISO 4217 'XXX' ("no currency involved"). */
export const NO_CURRENCY = 'XXX';

/** Orders in these states are not (or no longer) a conversion. */
const NOT_CONVERTED = new Set(['pending', 'cancelled', 'failed']);

export interface ChannelKey {
  day: string;
  channel: string;
  campaign: string;
  currency: string;
}

/** TypeORM answers DELETE/UPDATE ... RETURNING with [rows, affected]; INSERT with the rows. */
export const returned = <T>(result: unknown): T[] =>
  (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];

export const utcDay = (iso: string) => new Date(iso).toISOString().slice(0, 10);

/**
 * Writes facts into staging and recomputes the mart rows they touch from staging. Every mart row
 * is a function of staging alone, so applying a fact twice, or an older revision after a newer
 * one (ignored by the revision guard), leaves the marts as they were.
 */
export class MartWriter {
  constructor(
    private readonly m: EntityManager,
    private readonly tenantId: string,
  ) {}

  /** Accepted events: traffic (when they carry a touch and analytics consent) and volume per source, summed per key first (one upsert per table however many events). */
  async events(events: Accepted[]): Promise<void> {
    const volume = new Map<string, { day: string; source: string; events: number }>();
    const traffic = new Map<string, ChannelKey & { sessions: number; touches: number }>();
    for (const event of events) {
      const day = utcDay(event.timestamp);
      const source = event.sourceId ?? 'unknown';
      const v = volume.get(`${day}|${source}`) ?? { day, source, events: 0 };
      v.events++;
      volume.set(`${day}|${source}`, v);
      // Source volume is operational (events per source); traffic is an analytics use, which needs
      // the consent the tenant requires for analytics.
      if (!event.touch || event.consentedUses?.analytics === false) continue;
      const key = {
        day,
        channel: event.touch.channel,
        campaign: event.touch.campaign ?? '',
        currency: NO_CURRENCY,
      };
      const id = JSON.stringify(key);
      const t = traffic.get(id) ?? { ...key, sessions: 0, touches: 0 };
      t.sessions += event.type === 'page' || event.type === 'screen' ? 1 : 0;
      t.touches++;
      traffic.set(id, t);
    }
    const v = [...volume.values()];
    await this.m.query(
      `insert into fct_source_volume (tenant_id, day, source_id, events)
       select $1, day, source, n from unnest($2::date[], $3::text[], $4::bigint[]) as u(day, source, n)
       on conflict (tenant_id, day, source_id) do update set events = fct_source_volume.events + excluded.events`,
      [this.tenantId, v.map((x) => x.day), v.map((x) => x.source), v.map((x) => x.events)],
    );
    const t = [...traffic.values()];
    if (t.length === 0) return;
    await this.m.query(
      `insert into stg_traffic (tenant_id, day, channel, campaign, sessions, touches)
       select $1, day, channel, campaign, sessions, touches
       from unnest($2::date[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) as u(day, channel, campaign, sessions, touches)
       on conflict (tenant_id, day, channel, campaign)
       do update set sessions = stg_traffic.sessions + excluded.sessions, touches = stg_traffic.touches + excluded.touches`,
      [
        this.tenantId,
        t.map((x) => x.day),
        t.map((x) => x.channel),
        t.map((x) => x.campaign),
        t.map((x) => x.sessions),
        t.map((x) => x.touches),
      ],
    );
    await this.refreshDailyChannel(
      t.map(({ day, channel, campaign, currency }) => ({ day, channel, campaign, currency })),
    );
  }

  /** The whole order at a revision; returns false when a newer revision is already applied. */
  async order(order: Order): Promise<boolean> {
    const applied = await this.m.query(
      `insert into stg_orders (tenant_id, order_id, revision, payload, received_at) values ($1, $2, $3, $4, now())
       on conflict (tenant_id, order_id) do update
         set revision = excluded.revision, payload = excluded.payload, received_at = excluded.received_at
         where stg_orders.revision < excluded.revision
       returning order_id`,
      [this.tenantId, order.orderId, order.revision, order],
    );
    if (applied.length === 0) return false;
    const day = utcDay(order.placedAt);
    const converted = !NOT_CONVERTED.has(order.status);
    const customerKey = order.customer.id ?? order.customer.emailHash ?? order.profileId ?? null;
    const [before]: { day: string; currency: string; customer_key: string | null }[] = await this.m.query(
      `select to_char(day, 'YYYY-MM-DD') as day, currency, customer_key from fct_orders where tenant_id = $1 and order_id = $2`,
      [this.tenantId, order.orderId],
    );
    await this.m.query(
      `insert into fct_orders (tenant_id, order_id, day, status, currency, customer_key, total_minor,
         refunded_minor, net_revenue_minor, counts_as_conversion, placed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (tenant_id, order_id) do update set day = excluded.day, status = excluded.status,
         currency = excluded.currency, customer_key = excluded.customer_key, total_minor = excluded.total_minor,
         refunded_minor = excluded.refunded_minor, net_revenue_minor = excluded.net_revenue_minor,
         counts_as_conversion = excluded.counts_as_conversion, placed_at = excluded.placed_at`,
      [
        this.tenantId,
        order.orderId,
        day,
        order.status,
        order.currency,
        customerKey,
        order.totalMinor,
        order.refundedMinor,
        order.netRevenueMinor,
        converted,
        order.placedAt,
      ],
    );
    await this.orderLines(order, day, converted);
    await this.refreshDailyOrders([{ day, currency: order.currency }, ...(before ? [before] : [])]);
    await this.refreshCustomers([customerKey, before?.customer_key ?? null]);
    return true;
  }

  /** Recomputes fct_daily_orders for the given days and currencies from fct_orders. */
  private async refreshDailyOrders(keys: { day: string; currency: string }[]) {
    await this.m.query(
      `with k as (select distinct day, currency from unnest($2::date[], $3::text[]) as u(day, currency)),
       sums as (
         select k.day, k.currency, count(f.order_id) as orders, coalesce(sum(f.net_revenue_minor), 0) as net_revenue_minor
         from k left join fct_orders f on f.tenant_id = $1 and f.day = k.day and f.currency = k.currency
           and f.counts_as_conversion
         group by k.day, k.currency),
       emptied as (
         delete from fct_daily_orders d using sums s
         where s.orders = 0 and d.tenant_id = $1 and d.day = s.day and d.currency = s.currency)
       insert into fct_daily_orders (tenant_id, day, currency, orders, net_revenue_minor)
       select $1, day, currency, orders, net_revenue_minor from sums where orders > 0
       on conflict (tenant_id, day, currency) do update
         set orders = excluded.orders, net_revenue_minor = excluded.net_revenue_minor`,
      [this.tenantId, keys.map((k) => k.day), keys.map((k) => k.currency)],
    );
  }

  /** Recomputes dim_customer (day of the first converting order) for the given customer keys. */
  async refreshCustomers(keys: (string | null)[]) {
    const known = [...new Set(keys.filter((k): k is string => k !== null))];
    if (known.length === 0) return;
    await this.m.query(
      `with firsts as (
         select k.customer_key, min(f.day) as first_order_day
         from unnest($2::text[]) as k(customer_key)
         left join fct_orders f on f.tenant_id = $1 and f.customer_key = k.customer_key and f.counts_as_conversion
         group by k.customer_key),
       emptied as (
         delete from dim_customer d using firsts x
         where x.first_order_day is null and d.tenant_id = $1 and d.customer_key = x.customer_key)
       insert into dim_customer (tenant_id, customer_key, first_order_day)
       select $1, customer_key, first_order_day from firsts where first_order_day is not null
       on conflict (tenant_id, customer_key) do update set first_order_day = excluded.first_order_day`,
      [this.tenantId, known],
    );
  }

  /** Units per SKU net of refunded units; only converted orders count as demand. */
  private async orderLines(order: Order, day: string, converted: boolean) {
    const previous = returned<{ sku: string; day: string }>(
      await this.m.query(
        `delete from stg_order_lines where tenant_id = $1 and order_id = $2 returning sku, day::text as day`,
        [this.tenantId, order.orderId],
      ),
    );
    const refunded = new Map<string, number>();
    for (const refund of order.refunds)
      for (const line of refund.lineItems)
        if (line.sku) refunded.set(line.sku, (refunded.get(line.sku) ?? 0) + line.quantity);
    const units = new Map<string, number>();
    for (const line of order.lineItems)
      if (line.sku) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
    const lines = converted
      ? [...units].map(([sku, quantity]) => ({
          sku,
          units: Math.max(0, quantity - (refunded.get(sku) ?? 0)),
        }))
      : [];
    if (lines.length)
      await this.m.query(
        `insert into stg_order_lines (tenant_id, order_id, line_no, sku, day, units)
         select $1, $2, n, sku, $3, units from unnest($4::text[], $5::float8[]) with ordinality as l(sku, units, n)`,
        [this.tenantId, order.orderId, day, lines.map((l) => l.sku), lines.map((l) => l.units)],
      );
    for (const line of order.lineItems)
      if (line.sku)
        await this.m.query(
          `insert into dim_sku (tenant_id, sku, name, first_seen, last_seen) values ($1, $2, $3, $4, $4)
           on conflict (tenant_id, sku) do update set name = coalesce(excluded.name, dim_sku.name),
             first_seen = least(dim_sku.first_seen, excluded.first_seen),
             last_seen = greatest(dim_sku.last_seen, excluded.last_seen)`,
          [this.tenantId, line.sku, line.name, day],
        );
    const keys = [...previous, ...lines.map((l) => ({ sku: l.sku, day }))];
    if (keys.length === 0) return;
    await this.m.query(
      `insert into fct_sku_daily (tenant_id, sku, day, units)
       select $1, k.sku, k.day, coalesce((select sum(l.units) from stg_order_lines l
         where l.tenant_id = $1 and l.sku = k.sku and l.day = k.day), 0)
       from (select distinct sku, day from unnest($2::text[], $3::date[]) as u(sku, day)) k
       on conflict (tenant_id, sku, day) do update set units = excluded.units`,
      [this.tenantId, keys.map((k) => k.sku), keys.map((k) => k.day)],
    );
    await this.m.query(`delete from fct_sku_daily where tenant_id = $1 and units = 0`, [this.tenantId]);
  }

  /** A day's spend of a channel/campaign; a higher revision replaces it (even its currency). */
  async spend(spend: Spend): Promise<boolean> {
    const before: { currency: string }[] = await this.m.query(
      `select currency from stg_spend where tenant_id = $1 and day = $2 and channel = $3 and campaign = $4 for update`,
      [this.tenantId, spend.date, spend.channel, spend.campaign],
    );
    const applied = await this.m.query(
      `insert into stg_spend (tenant_id, day, channel, campaign, revision, currency, amount_minor, impressions, clicks)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (tenant_id, day, channel, campaign) do update set revision = excluded.revision,
         currency = excluded.currency, amount_minor = excluded.amount_minor,
         impressions = excluded.impressions, clicks = excluded.clicks
         where stg_spend.revision < excluded.revision
       returning day`,
      [
        this.tenantId,
        spend.date,
        spend.channel,
        spend.campaign,
        spend.revision,
        spend.currency,
        spend.amountMinor,
        spend.impressions,
        spend.clicks,
      ],
    );
    if (applied.length === 0) return false;
    const key = { day: spend.date, channel: spend.channel, campaign: spend.campaign };
    await this.refreshDailyChannel([
      { ...key, currency: spend.currency },
      ...before.map((b) => ({ ...key, currency: b.currency })),
    ]);
    return true;
  }

  /** An order's credits under every rule-based model; a higher revision replaces all of them. */
  async credits(credits: Credits): Promise<boolean> {
    const applied = await this.m.query(
      `insert into stg_credits (tenant_id, order_id, revision, day, currency) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, order_id) do update set revision = excluded.revision, day = excluded.day,
         currency = excluded.currency
         where stg_credits.revision < excluded.revision
       returning order_id`,
      [this.tenantId, credits.orderId, credits.revision, utcDay(credits.convertedAt), credits.currency],
    );
    if (applied.length === 0) return false;
    const previous = returned<ChannelKey>(
      await this.m.query(
        `delete from stg_credit_lines where tenant_id = $1 and order_id = $2
         returning day::text as day, channel, campaign, currency`,
        [this.tenantId, credits.orderId],
      ),
    );
    const day = utcDay(credits.convertedAt);
    const lines = new Map<
      string,
      { model: string; channel: string; campaign: string; conv: number; rev: number }
    >();
    for (const model of RULE_BASED_MODELS)
      for (const credit of credits.models[model]) {
        const campaign = credit.campaign ?? '';
        const id = JSON.stringify([model, credit.channel, campaign]);
        const line = lines.get(id) ?? { model, channel: credit.channel, campaign, conv: 0, rev: 0 };
        line.conv += credit.conversions;
        line.rev += credit.revenueMinor;
        lines.set(id, line);
      }
    const rows = [...lines.values()];
    if (rows.length)
      await this.m.query(
        `insert into stg_credit_lines (tenant_id, order_id, model, channel, campaign, day, currency, conversions, revenue_minor)
         select $1, $2, model, channel, campaign, $3, $4, conv, rev
         from unnest($5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[]) as u(model, channel, campaign, conv, rev)`,
        [
          this.tenantId,
          credits.orderId,
          day,
          credits.currency,
          rows.map((r) => r.model),
          rows.map((r) => r.channel),
          rows.map((r) => r.campaign),
          rows.map((r) => r.conv),
          rows.map((r) => r.rev),
        ],
      );
    await this.refreshDailyChannel([
      ...previous,
      ...rows.map((r) => ({ day, channel: r.channel, campaign: r.campaign, currency: credits.currency })),
    ]);
    return true;
  }

  /**
   * Recomputes fct_daily_channel rows (and the channel/campaign dimensions) for the given keys
   * from staging in one INSERT ... SELECT ... ON CONFLICT; rows left all zero are removed.
   */
  async refreshDailyChannel(keys: ChannelKey[]): Promise<void> {
    const unique = [...new Map(keys.map((k) => [JSON.stringify(k), k])).values()];
    if (unique.length === 0) return;
    const models = RULE_BASED_MODELS;
    const params = [
      this.tenantId,
      unique.map((k) => k.day),
      unique.map((k) => k.channel),
      unique.map((k) => k.campaign),
      unique.map((k) => k.currency),
    ];
    await this.m.query(
      `insert into fct_daily_channel (tenant_id, day, channel, campaign, currency, sessions, touches, spend_minor,
         impressions, clicks, ${models.map((m) => `conv_${m}, rev_${m}`).join(', ')})
       select $1, k.day, k.channel, k.campaign, k.currency, coalesce(t.sessions, 0), coalesce(t.touches, 0),
         coalesce(s.amount_minor, 0), coalesce(s.impressions, 0), coalesce(s.clicks, 0),
         ${models.map((m) => `coalesce(c.conv_${m}, 0), coalesce(c.rev_${m}, 0)`).join(', ')}
       from unnest($2::date[], $3::text[], $4::text[], $5::text[]) as k(day, channel, campaign, currency)
       left join stg_traffic t on k.currency = '${NO_CURRENCY}' and t.tenant_id = $1 and t.day = k.day
         and t.channel = k.channel and t.campaign = k.campaign
       left join stg_spend s on s.tenant_id = $1 and s.day = k.day and s.channel = k.channel
         and s.campaign = k.campaign and s.currency = k.currency
       left join lateral (
         select ${models
           .map(
             (m) =>
               `sum(conversions) filter (where model = '${m}') as conv_${m}, sum(revenue_minor) filter (where model = '${m}') as rev_${m}`,
           )
           .join(', ')}
         from stg_credit_lines l where l.tenant_id = $1 and l.day = k.day and l.channel = k.channel
           and l.campaign = k.campaign and l.currency = k.currency) c on true
       on conflict (tenant_id, day, channel, campaign, currency) do update set
         sessions = excluded.sessions, touches = excluded.touches, spend_minor = excluded.spend_minor,
         impressions = excluded.impressions, clicks = excluded.clicks,
         ${models.map((m) => `conv_${m} = excluded.conv_${m}, rev_${m} = excluded.rev_${m}`).join(', ')}`,
      params,
    );
    await this.m.query(
      `delete from fct_daily_channel f using unnest($2::date[], $3::text[], $4::text[], $5::text[]) as k(day, channel, campaign, currency)
       where f.tenant_id = $1 and f.day = k.day and f.channel = k.channel and f.campaign = k.campaign
         and f.currency = k.currency and f.sessions = 0 and f.touches = 0 and f.spend_minor = 0
         and f.impressions = 0 and f.clicks = 0 and ${models.map((m) => `f.conv_${m} = 0 and f.rev_${m} = 0`).join(' and ')}`,
      params,
    );
    await this.refreshMonthlyChannel(params);
    await this.m.query(
      `insert into dim_channel (tenant_id, channel, first_seen, last_seen)
       select $1, channel, min(day), max(day) from unnest($2::date[], $3::text[]) as k(day, channel) group by channel
       on conflict (tenant_id, channel) do update set first_seen = least(dim_channel.first_seen, excluded.first_seen),
         last_seen = greatest(dim_channel.last_seen, excluded.last_seen)`,
      params.slice(0, 3),
    );
    await this.m.query(
      `insert into dim_campaign (tenant_id, channel, campaign, first_seen, last_seen)
       select $1, channel, campaign, min(day), max(day) from unnest($2::date[], $3::text[], $4::text[]) as k(day, channel, campaign)
       where campaign <> '' group by channel, campaign
       on conflict (tenant_id, channel, campaign) do update set first_seen = least(dim_campaign.first_seen, excluded.first_seen),
         last_seen = greatest(dim_campaign.last_seen, excluded.last_seen)`,
      params.slice(0, 4),
    );
  }

  /**
   * Recomputes the fct_monthly_channel rows of the months the given daily keys fall in (params as
   * refreshDailyChannel's: tenant, days, channels, campaigns, currencies); months left without
   * daily rows are removed.
   */
  private async refreshMonthlyChannel(params: unknown[]): Promise<void> {
    const fractional = RULE_BASED_MODELS.flatMap((m) => [`conv_${m}`, `rev_${m}`]);
    const counts = ['sessions', 'touches', 'spend_minor', 'impressions', 'clicks'];
    const measures = [...counts, ...fractional];
    await this.m.query(
      `with k as (
         select distinct date_trunc('month', day)::date as month, channel, campaign, currency
         from unnest($2::date[], $3::text[], $4::text[], $5::text[]) as u(day, channel, campaign, currency)),
       sums as (
         select k.month, k.channel, k.campaign, k.currency, count(f.day) as days,
           ${counts.map((c) => `coalesce(sum(f.${c}), 0) as ${c}`).join(', ')},
           ${fractional.map((c) => `coalesce(sum(f.${c}::numeric), 0)::float8 as ${c}`).join(', ')}
         from k left join fct_daily_channel f on f.tenant_id = $1 and f.channel = k.channel and f.campaign = k.campaign
           and f.currency = k.currency and f.day >= k.month and f.day < (k.month + interval '1 month')::date
         group by k.month, k.channel, k.campaign, k.currency),
       emptied as (
         delete from fct_monthly_channel m using sums s
         where s.days = 0 and m.tenant_id = $1 and m.month = s.month and m.channel = s.channel
           and m.campaign = s.campaign and m.currency = s.currency)
       insert into fct_monthly_channel (tenant_id, month, channel, campaign, currency, ${measures.join(', ')})
       select $1, month, channel, campaign, currency, ${measures.join(', ')} from sums where days > 0
       on conflict (tenant_id, month, channel, campaign, currency) do update set
         ${measures.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      params,
    );
  }

  /** Notes that a source delivered `count` facts (the newest of its own time `factAt`) just now. */
  async fresh(source: string, factAt: string, count = 1): Promise<void> {
    await this.m.query(
      `insert into source_freshness (tenant_id, source, last_fact_at, last_applied_at, applied) values ($1, $2, $3, now(), $4)
       on conflict (tenant_id, source) do update set last_fact_at = greatest(source_freshness.last_fact_at, excluded.last_fact_at),
         last_applied_at = now(), applied = source_freshness.applied + excluded.applied`,
      [this.tenantId, source, factAt, count],
    );
  }
}
