import { Injectable } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import type { EntityManager } from 'typeorm';
import type { RuleBasedModel } from '../marts/mart-writer';
import { checkedPeriod, PageCursor, type Period, previousPeriod } from './query-params';

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
const CHANNEL_FROM = `from fct_daily_channel f left join fx_rates fx on fx.currency = f.currency`;
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);

/** Dashboard reads over the marts, each in one transaction of the caller's tenant (RLS). */
@Injectable()
export class DashboardsService {
  constructor(private readonly transactions: Transactions) {}

  async overview(
    tenantId: string,
    q: { from: string; to: string; model: RuleBasedModel; currency?: string },
  ) {
    const period = checkedPeriod(q.from, q.to);
    const previous = previousPeriod(period);
    return this.transactions.forTenant(tenantId, async (m) => {
      const target = await this.currency(m, tenantId, q.currency);
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
    const [c] = await m.query(
      `select coalesce(sum(sessions), 0)::float8 as sessions, coalesce(sum(touches), 0)::float8 as touches,
         ${moneySum('spend_minor')} as spend, ${exactSum(`conv_${model}`)} as conversions,
         ${moneySum(`rev_${model}`)} as attributed
       ${CHANNEL_FROM} where f.tenant_id = $1 and f.day between $3 and $4`,
      [tenantId, usdPerUnit, p.from, p.to],
    );
    const [o] = await m.query(
      `select count(*)::float8 as orders, ${moneySum('net_revenue_minor')} as revenue
       from fct_orders f left join fx_rates fx on fx.currency = f.currency
       where f.tenant_id = $1 and f.counts_as_conversion and f.day between $3 and $4`,
      [tenantId, usdPerUnit, p.from, p.to],
    );
    const [n] = await m.query(
      `select count(*)::float8 as customers from (
         select customer_key, min(day) as first_day from fct_orders
         where tenant_id = $1 and counts_as_conversion and customer_key is not null group by customer_key) x
       where first_day between $2 and $3`,
      [tenantId, p.from, p.to],
    );
    return {
      revenue: o.revenue,
      orders: o.orders,
      average_order_value: ratio(o.revenue, o.orders),
      new_customers: n.customers,
      spend: c.spend,
      sessions: c.sessions,
      touches: c.touches,
      attributed_revenue: c.attributed,
      attributed_conversions: c.conversions,
      roas: ratio(c.attributed, c.spend),
      cpa: ratio(c.spend, c.conversions),
      cac: ratio(c.spend, n.customers),
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
    return this.transactions.forTenant(tenantId, async (m) => {
      const target = await this.currency(m, tenantId, q.currency);
      const byCampaign = q.dimension === 'campaign';
      const groups = byCampaign ? 'f.channel, f.campaign' : 'f.channel';
      const params: unknown[] = [tenantId, target.usdPerUnit, period.from, period.to];
      let filter = '';
      if (q.channel !== undefined) {
        params.push(q.channel);
        filter = ` and f.channel = $${params.length}`;
      }
      const sortColumn = q.sort;
      const direction = q.order === 'asc' ? 'asc' : 'desc';
      params.push(q.limit + 1, offset);
      const rows: Record<string, unknown>[] = await m.query(
        `select * from (
           select f.channel, ${byCampaign ? 'f.campaign' : 'null::text as campaign'},
             sum(f.sessions)::float8 as sessions, sum(f.touches)::float8 as touches,
             ${moneySum('f.spend_minor')} as spend, sum(f.impressions)::float8 as impressions,
             sum(f.clicks)::float8 as clicks, ${exactSum(`f.conv_${q.model}`)} as conversions,
             ${moneySum(`f.rev_${q.model}`)} as revenue
           ${CHANNEL_FROM} where f.tenant_id = $1 and f.day between $3 and $4${filter}
           group by ${groups}) t
         cross join lateral (select case when t.spend > 0 then t.revenue / t.spend end as roas,
                                    case when t.conversions > 0 then t.spend / t.conversions end as cpa) d
         order by ${sortColumn} ${direction} nulls last, channel, campaign
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
    return this.transactions.forTenant(tenantId, async (m) => {
      const target = await this.currency(m, tenantId, q.currency);
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

  /** The requested currency (must be in the rate table) or the tenant's reporting currency. */
  private async currency(m: EntityManager, tenantId: string, requested?: string) {
    let currency = requested;
    if (currency === undefined) {
      const [setting] = await m.query(`select reporting_currency from tenant_settings where tenant_id = $1`, [
        tenantId,
      ]);
      currency = (setting?.reporting_currency as string | undefined) ?? 'USD';
    }
    const [rate] = await m.query(`select usd_per_unit from fx_rates where currency = $1`, [currency]);
    if (!rate)
      throw ApiProblem.badRequest(`No conversion rate for currency ${currency}.`, [
        { field: 'currency', message: 'not in the rate table' },
      ]);
    return { currency, usdPerUnit: rate.usd_per_unit as number };
  }
}
