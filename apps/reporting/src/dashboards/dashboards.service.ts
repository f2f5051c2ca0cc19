import { Inject, Injectable } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem, Metrics } from '@sextant/platform/http';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { REPORTING_CONFIG, type ReportingConfig } from '../config';
import type { RuleBasedModel } from '../marts/mart-writer';
import { ReadCache } from './read-cache';
import { checkedPeriod, monthSplit, PageCursor, type Period, previousPeriod } from './query-params';

type Schemas = reportingApi.components['schemas'];
type Kpi = Schemas['Kpi'];

export interface ChannelQuery {
  from: string;
  to: string;
  model: RuleBasedModel;
  currency?: string;
  dimension: 'channel' | 'campaign';
  channel?: string;
  sort: string;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

export interface SeriesQuery {
  metric: string;
  from: string;
  to: string;
  granularity: 'day' | 'week' | 'month';
  model: RuleBasedModel;
  currency?: string;
  channel?: string;
}

/**
 * Sums of fractional columns (attributed conversions and revenue) are taken as numeric, so a total
 * does not depend on the order the rows are read in (a float sum does, in its last digits).
 */
const exactSum = (expression: string) => `coalesce(sum((${expression})::numeric), 0)::float8`;
/**
 * The sum of an amount column in minor units of each row's currency (joined as `fx`), in major
 * units of the target currency, whose USD value per unit is parameter $2.
 */
const moneySum = (column: string) =>
  exactSum(
    `(${column})::numeric / power(10::numeric, fx.minor_digits) * fx.usd_per_unit::numeric / $2::numeric`,
  );
/**
 * The exact sum of a fractional column, each value rounded to `digits` decimals first: an integer
 * sum (order-independent like a numeric one, several times cheaper), as numeric.
 */
const fixedPointSum = (column: string, digits: number) =>
  `sum((${column} * 1e${digits}::float8)::int8)::numeric / 1e${digits}`;
const CHANNEL_FROM = `from fct_daily_channel f left join fx_rates fx on fx.currency = f.currency`;
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);

/**
 * The channel mart's measures summed over a period per `groups` (a list of columns, may be empty)
 * and converted to the target currency ($2). Whole months are read from fct_monthly_channel and
 * only the days around them from fct_daily_channel; amounts are summed per currency first and
 * converted once per currency (credited conversions to 1e-9, credited revenue to 1e-6 minor
 * units). `params` starts with the tenant ($1) and the rate ($2) and receives the period's
 * bounds; `filter` is a condition on the rows (or '').
 */
function channelTotals(
  period: Period,
  model: RuleBasedModel,
  groups: string[],
  params: unknown[],
  filter = '',
): string {
  const bound = (day: string) => {
    params.push(day);
    return `$${params.length}::date`;
  };
  const columns = `${groups.map((g) => `${g}, `).join('')}currency, sessions, touches, spend_minor, impressions,
    clicks, conv_${model} as conv, rev_${model} as rev`;
  const { months, days } = monthSplit(period);
  const parts: string[] = [];
  if (months)
    parts.push(`select ${columns} from fct_monthly_channel
      where tenant_id = $1 and month between ${bound(months.from)} and ${bound(months.to)}${filter}`);
  if (days.length)
    parts.push(`select ${columns} from fct_daily_channel
      where tenant_id = $1 and (${days.map((d) => `day between ${bound(d.from)} and ${bound(d.to)}`).join(' or ')})${filter}`);
  const keys = groups.map((g) => `${g}, `).join('');
  return `select ${keys}coalesce(sum(sessions), 0)::float8 as sessions, coalesce(sum(touches), 0)::float8 as touches,
      coalesce(sum(impressions), 0)::float8 as impressions, coalesce(sum(clicks), 0)::float8 as clicks,
      coalesce(sum(conv), 0)::float8 as conversions, ${moneySum('spend_minor')} as spend, ${moneySum('rev')} as revenue
    from (select ${keys}currency, sum(sessions) as sessions, sum(touches) as touches, sum(spend_minor) as spend_minor,
            sum(impressions) as impressions, sum(clicks) as clicks, ${fixedPointSum('conv', 9)} as conv,
            ${fixedPointSum('rev', 6)} as rev
          from (${parts.join(' union all ')}) r group by ${keys}currency) f
    left join fx_rates fx on fx.currency = f.currency
    ${groups.length ? `group by ${groups.join(', ')}` : ''}`;
}

interface ReadContext {
  currency: string;
  usdPerUnit: number;
  version: string | null;
}

/** Dashboard reads over the marts, each in one transaction of the caller's tenant (RLS). */
@Injectable()
export class DashboardsService {
  private readonly answers?: ReadCache;
  private readonly lookups: Counter<'outcome'>;

  constructor(
    private readonly transactions: Transactions,
    @Inject(REPORTING_CONFIG) config: ReportingConfig,
    metrics: Metrics,
  ) {
    if (config.REPORTING_READ_CACHE_ENTRIES > 0)
      this.answers = new ReadCache(
        config.REPORTING_READ_CACHE_ENTRIES,
        config.REPORTING_READ_MAX_STALENESS_MS,
      );
    this.lookups = new Counter({
      name: 'reporting_read_cache_lookups_total',
      help: 'Dashboard reads by cache outcome (hit; stale_hit: known current within REPORTING_READ_MAX_STALENESS_MS, not asked; miss; uncached: cache off or tenant without a mart version)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  /**
   * The answer to a view's question: from the cache while the version it was read at is current
   * (or, within the configured staleness of when it last was, without asking), else computed in a
   * tenant transaction and kept. A tenant without a mart version yet is not cached.
   */
  private async answer<T extends object>(
    view: string,
    tenantId: string,
    query: { currency?: string },
    compute: (m: EntityManager, target: ReadContext) => Promise<T>,
  ): Promise<T> {
    const cache = this.answers;
    const key = JSON.stringify([view, tenantId, query]);
    const readAt = Date.now();
    const recent = cache?.recent(key, readAt);
    if (recent) {
      this.lookups.inc({ outcome: 'stale_hit' });
      return recent as T;
    }
    const target = await this.readContext(tenantId, query.currency);
    // What the answer depends on beyond the marts: the currency and its rate.
    const version =
      target.version === null ? undefined : `${target.version}/${target.currency}/${target.usdPerUnit}`;
    if (cache && version) {
      const cached = cache.get(key, version, readAt);
      this.lookups.inc({ outcome: cached ? 'hit' : 'miss' });
      if (cached) return cached as T;
    } else this.lookups.inc({ outcome: 'uncached' });
    const computed = await this.transactions.forTenant(tenantId, (m) => compute(m, target));
    if (cache && version) cache.set(key, version, readAt, computed);
    return computed;
  }

  async overview(
    tenantId: string,
    q: { from: string; to: string; model: RuleBasedModel; currency?: string },
  ) {
    const period = checkedPeriod(q.from, q.to);
    const previous = previousPeriod(period);
    return this.answer('overview', tenantId, q, async (m, target) => {
      const now = await this.periodTotals(m, tenantId, target.usdPerUnit, period, q.model);
      const before = await this.periodTotals(m, tenantId, target.usdPerUnit, previous, q.model);
      const kpis: Kpi[] = (Object.keys(now) as Kpi['name'][]).map((name) => ({
        name,
        value: now[name],
        previous: before[name],
        change: ratio(
          now[name] === null || before[name] === null ? null : now[name]! - before[name]!,
          before[name],
        ),
      }));
      return {
        period: { from: period.from, to: period.to },
        previousPeriod: previous,
        currency: target.currency,
        model: q.model,
        kpis,
      } satisfies Schemas['Overview'];
    });
  }

  private async periodTotals(
    m: EntityManager,
    tenantId: string,
    usdPerUnit: number,
    p: Period,
    model: RuleBasedModel,
  ): Promise<Record<Kpi['name'], number | null>> {
    const params: unknown[] = [tenantId, usdPerUnit];
    const channels = channelTotals(p, model, [], params);
    params.push(p.from, p.to);
    const [from, to] = [`$${params.length - 1}::date`, `$${params.length}::date`];
    const [t]: Record<string, number>[] = await m.query(
      `select c.*, o.*, n.* from (${channels}) c,
         (select coalesce(sum(f.orders), 0)::float8 as orders, ${moneySum('f.net_revenue_minor')} as order_revenue
          from (select currency, sum(orders) as orders, sum(net_revenue_minor) as net_revenue_minor from fct_daily_orders
                where tenant_id = $1 and day between ${from} and ${to} group by currency) f
          left join fx_rates fx on fx.currency = f.currency) o,
         (select count(*)::float8 as customers from dim_customer
          where tenant_id = $1 and first_order_day between ${from} and ${to}) n`,
      params,
    );
    return {
      revenue: t.order_revenue,
      orders: t.orders,
      average_order_value: ratio(t.order_revenue, t.orders),
      new_customers: t.customers,
      spend: t.spend,
      sessions: t.sessions,
      touches: t.touches,
      attributed_revenue: t.revenue,
      attributed_conversions: t.conversions,
      roas: ratio(t.revenue, t.spend),
      cpa: ratio(t.spend, t.conversions),
      cac: ratio(t.spend, t.customers),
    };
  }

  async channels(tenantId: string, q: ChannelQuery): Promise<Schemas['ChannelTable']> {
    const period = checkedPeriod(q.from, q.to);
    if (q.dimension === 'channel' && q.sort === 'campaign')
      throw ApiProblem.badRequest('Sorting by campaign needs dimension=campaign.', [
        { field: 'sort', message: 'campaign is not a column of the channel table' },
      ]);
    const { cursor: _cursor, limit: _limit, ...filters } = q;
    const offset = PageCursor.decode(q.cursor, filters);
    return this.answer('channels', tenantId, q, async (m, target) => {
      const byCampaign = q.dimension === 'campaign';
      const params: unknown[] = [tenantId, target.usdPerUnit];
      let filter = '';
      if (q.channel !== undefined) {
        params.push(q.channel);
        filter = ` and channel = $${params.length}`;
      }
      const totals = channelTotals(
        period,
        q.model,
        byCampaign ? ['channel', 'campaign'] : ['channel'],
        params,
        filter,
      );
      const direction = q.order === 'asc' ? 'asc' : 'desc';
      params.push(q.limit + 1, offset);
      const rows: Record<string, unknown>[] = await m.query(
        `select t.*, ${byCampaign ? '' : 'null::text as campaign, '}d.* from (${totals}) t
       cross join lateral (select case when t.spend > 0 then t.revenue / t.spend end as roas,
                                  case when t.conversions > 0 then t.spend / t.conversions end as cpa) d
       order by ${q.sort} ${direction} nulls last, channel${byCampaign ? ', campaign' : ''}
       limit $${params.length - 1} offset $${params.length}`,
        params,
      );
      const page = rows.slice(0, q.limit);
      return {
        period: { from: period.from, to: period.to },
        currency: target.currency,
        model: q.model,
        items: page.map((r) => ({
          channel: r.channel as string,
          campaign: r.campaign as string | null,
          sessions: r.sessions as number,
          touches: r.touches as number,
          spend: r.spend as number,
          impressions: r.impressions as number,
          clicks: r.clicks as number,
          conversions: r.conversions as number,
          revenue: r.revenue as number,
          roas: r.roas as number | null,
          cpa: r.cpa as number | null,
        })),
        nextCursor: rows.length > q.limit ? PageCursor.encode(offset + q.limit, filters) : null,
      };
    });
  }

  async timeSeries(tenantId: string, q: SeriesQuery): Promise<Schemas['TimeSeries']> {
    const period = checkedPeriod(q.from, q.to);
    const fromOrders = q.metric === 'revenue' || q.metric === 'orders';
    if (fromOrders && q.channel !== undefined)
      throw ApiProblem.badRequest(
        `'${q.metric}' is not broken down by channel (orders carry no channel); use attributed_revenue or conversions.`,
        [{ field: 'channel', message: `not a dimension of ${q.metric}` }],
      );
    return this.answer('timeSeries', tenantId, q, async (m, target) => {
      const params: unknown[] = [tenantId, target.usdPerUnit, period.from, period.to, q.granularity];
      let source: string;
      if (fromOrders) {
        source = `select date_trunc($5, f.day::timestamp)::date as period, count(*)::float8 as orders,
          ${moneySum('f.net_revenue_minor')} as revenue
        from fct_orders f left join fx_rates fx on fx.currency = f.currency
        where f.tenant_id = $1 and f.counts_as_conversion and f.day between $3 and $4 group by 1`;
      } else {
        let filter = '';
        if (q.channel !== undefined) {
          params.push(q.channel);
          filter = ` and f.channel = $${params.length}`;
        }
        source = `select date_trunc($5, f.day::timestamp)::date as period, sum(f.sessions)::float8 as sessions,
          sum(f.touches)::float8 as touches, ${moneySum('f.spend_minor')} as spend,
          ${exactSum(`f.conv_${q.model}`)} as conversions, ${moneySum(`f.rev_${q.model}`)} as attributed_revenue
        ${CHANNEL_FROM} where f.tenant_id = $1 and f.day between $3 and $4${filter} group by 1`;
      }
      const value: Record<string, string> = {
        revenue: 'coalesce(s.revenue, 0)',
        orders: 'coalesce(s.orders, 0)',
        spend: 'coalesce(s.spend, 0)',
        sessions: 'coalesce(s.sessions, 0)',
        touches: 'coalesce(s.touches, 0)',
        conversions: 'coalesce(s.conversions, 0)',
        attributed_revenue: 'coalesce(s.attributed_revenue, 0)',
        roas: 'case when s.spend > 0 then s.attributed_revenue / s.spend end',
        cpa: 'case when s.conversions > 0 then s.spend / s.conversions end',
      };
      const points: { period: string; value: number | null }[] = await m.query(
        `select to_char(p.period, 'YYYY-MM-DD') as period, ${value[q.metric]} as value
       from generate_series(date_trunc($5, $3::timestamp), $4::timestamp, ('1 ' || $5)::interval) as p(period)
       left join (${source}) s on s.period = p.period::date order by p.period`,
        params,
      );
      return { metric: q.metric, granularity: q.granularity, currency: target.currency, points };
    });
  }

  async forecastVsActual(
    tenantId: string,
    q: { from: string; to: string; sku?: string; frequency: 'day' | 'week'; limit: number; cursor?: string },
  ): Promise<Schemas['ForecastVsActual']> {
    const period = checkedPeriod(q.from, q.to);
    const { cursor: _c, limit: _l, ...filters } = q;
    const offset = PageCursor.decode(q.cursor, filters);
    return this.transactions.forTenant(tenantId, async (m) => {
      const params: unknown[] = [tenantId, period.from, period.to, q.frequency];
      let filter = '';
      if (q.sku !== undefined) {
        params.push(q.sku);
        filter = ` and sku = $${params.length}`;
      }
      params.push(q.limit + 1, offset);
      const skus: { sku: string }[] = await m.query(
        `select distinct sku from fct_forecast where tenant_id = $1 and period between $2 and $3
           and frequency = $4${filter} order by sku limit $${params.length - 1} offset $${params.length}`,
        params,
      );
      const page = skus.slice(0, q.limit).map((s) => s.sku);
      const span = q.frequency === 'week' ? 7 : 1;
      const rows: Record<string, unknown>[] = page.length
        ? await m.query(
            `select f.sku, to_char(f.period, 'YYYY-MM-DD') as period, f.mean as forecast, f.lower_80, f.upper_80,
               f.method, f.demand_class,
               coalesce((select sum(a.units) from fct_sku_daily a where a.tenant_id = $1 and a.sku = f.sku
                 and a.day >= f.period and a.day < f.period + $5::int), 0) as actual
             from fct_forecast f where f.tenant_id = $1 and f.sku = any($4::text[]) and f.frequency = $6
               and f.period between $2 and $3 order by f.sku, f.period`,
            [tenantId, period.from, period.to, page, span, q.frequency],
          )
        : [];
      return {
        items: rows.map((r) => ({
          sku: r.sku as string,
          period: r.period as string,
          forecast: r.forecast as number,
          lower80: r.lower_80 as number | null,
          upper80: r.upper_80 as number | null,
          actual: r.actual as number,
          absoluteError: Math.abs((r.actual as number) - (r.forecast as number)),
          method: r.method as string,
          demandClass: r.demand_class as string,
        })),
        nextCursor: skus.length > q.limit ? PageCursor.encode(offset + q.limit, filters) : null,
      };
    });
  }

  async freshness(tenantId: string): Promise<Schemas['Freshness']> {
    const rows: Record<string, unknown>[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(
        `select source, last_fact_at, last_applied_at, applied::int as applied,
           extract(epoch from now() - last_fact_at)::float8 as lag
         from source_freshness order by source`,
      ),
    );
    return {
      sources: rows.map((r) => ({
        source: r.source as string,
        lastFactAt: (r.last_fact_at as Date).toISOString(),
        lastAppliedAt: (r.last_applied_at as Date).toISOString(),
        lagSeconds: Math.max(0, r.lag as number),
        applied: r.applied as number,
      })),
    };
  }

  /**
   * What a dashboard read depends on besides its query: the requested currency (must be in the
   * rate table) or the tenant's reporting currency, its rate, and the tenant's mart version; in
   * one round trip.
   */
  private async readContext(tenantId: string, requested?: string): Promise<ReadContext> {
    const [row] = await this.transactions.readAsTenant<{
      currency: string;
      usd_per_unit: number | null;
      version: string | null;
    }>(tenantId, (literal) => {
      const tenant = literal(tenantId);
      const currency = requested === undefined ? 'null' : literal(requested);
      return `select c.currency, fx.usd_per_unit,
                (select version::text from mart_versions where tenant_id = ${tenant}) as version
         from (select coalesce(${currency}::text,
                               (select reporting_currency from tenant_settings where tenant_id = ${tenant}),
                               'USD') as currency) c
         left join fx_rates fx on fx.currency = c.currency`;
    });
    if (row.usd_per_unit === null)
      throw ApiProblem.badRequest(`No conversion rate for currency ${row.currency}.`, [
        { field: 'currency', message: 'not in the rate table' },
      ]);
    return { currency: row.currency, usdPerUnit: row.usd_per_unit, version: row.version };
  }
}
