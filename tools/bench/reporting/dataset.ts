// Bulk load of a year of marts for the reporting benchmark, written as the mart writer stores
// them: staging (stg_traffic, stg_spend) and the marts derived from it (fct_daily_channel with a
// traffic row under 'XXX' and a money row under the tenant's spend currency per day x campaign,
// fct_orders, dim_channel, dim_campaign, fct_source_volume, and the read models kept in step
// with them: fct_monthly_channel, fct_daily_orders, dim_customer). Loaded with INSERT ... SELECT over
// generate_series as the admin role (RLS does not apply to it), far faster than the API.
import { Client } from 'pg';

export interface DatasetShape {
  tenants: string[];
  /** Channels per tenant. */
  channels: number;
  /** Campaigns per tenant, spread round-robin over its channels. */
  campaigns: number;
  days: number;
  ordersPerDay: number;
  /** The last loaded day (inclusive), YYYY-MM-DD. */
  lastDay: string;
}

export const channelName = (i: number) => `channel_${String(i).padStart(2, '0')}`;
export const campaignName = (k: number) => `campaign_${String(k).padStart(3, '0')}`;

/** Loads the data set; returns the rows per table. */
export async function loadDataset(url: string, shape: DatasetShape): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set search_path = reporting`);
    await client.query(`set synchronous_commit = off`);
    const firstDay = new Date(Date.parse(`${shape.lastDay}T00:00:00Z`) - (shape.days - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    // tenants(id, n, currency): every other tenant spends in EUR, the rest in USD.
    const grid = `from unnest($1::uuid[]) with ordinality as t(id, n)
      cross join (select $2::date + i as day from generate_series(0, $3::int - 1) as i) as d
      cross join generate_series(1, $4::int) as k(k)`;
    const channel = `'channel_' || lpad((((k.k - 1) % $5::int) + 1)::text, 2, '0')`;
    // lpad also truncates: campaign 1000 must stay 'campaign_1000', as campaignName() writes it.
    const campaign = `'campaign_' || lpad(k.k::text, greatest(3, length(k.k::text)), '0')`;
    // Deterministic pseudo-random numbers per tenant x day x campaign.
    const h = (salt: number, mod: number) =>
      `(abs(hashtext(t.id::text || d.day::text || k.k::text || '${salt}')) % ${mod})`;
    // The order the mart writer's rows arrive in: day after day, all tenants' rows of a day together.
    const arrival = 'order by d.day, t.n';
    const params = [shape.tenants, firstDay, shape.days, shape.campaigns, shape.channels];
    await client.query(
      `insert into stg_traffic (tenant_id, day, channel, campaign, sessions, touches)
       select t.id, d.day, ${channel}, ${campaign}, 20 + ${h(1, 400)}, 30 + ${h(1, 400)} + ${h(2, 200)} ${grid}
       ${arrival}`,
      params,
    );
    await client.query(
      `insert into stg_spend (tenant_id, day, channel, campaign, revision, currency, amount_minor, impressions, clicks)
       select t.id, d.day, ${channel}, ${campaign}, 1, case when t.n % 2 = 0 then 'EUR' else 'USD' end,
         1000 + ${h(3, 200000)}, 1000 + ${h(4, 50000)}, 10 + ${h(5, 2000)} ${grid}
       ${arrival}`,
      params,
    );
    const models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'];
    // Attributed conversions and revenue per model: a share of the spend, different per model.
    await client.query(
      `insert into fct_daily_channel (tenant_id, day, channel, campaign, currency, sessions, touches, spend_minor,
         impressions, clicks, ${models.map((m) => `conv_${m}, rev_${m}`).join(', ')})
       select * from (
         select tenant_id, day, channel, campaign, 'XXX', sessions, touches, 0, 0, 0,
           ${models.map(() => '0, 0').join(', ')}
         from stg_traffic where tenant_id = any($1)
         union all
         select tenant_id, day, channel, campaign, currency, 0, 0, amount_minor, impressions, clicks,
           ${models
             .map(
               (_m, i) =>
                 `(abs(hashtext(channel || campaign || day::text || '${i}')) % 1000) / 100.0,
                  amount_minor * (1 + (abs(hashtext(campaign || day::text || '${i}')) % 400) / 100.0)`,
             )
             .join(', ')}
         from stg_spend where tenant_id = any($1)) as rows
       order by day, tenant_id`,
      [shape.tenants],
    );
    await client.query(
      `insert into fct_orders (tenant_id, order_id, day, status, currency, customer_key, total_minor, refunded_minor,
         net_revenue_minor, counts_as_conversion, placed_at)
       select t.id, 'shopify:' || d.day::text || '-' || k.k, d.day, 'paid',
         case when t.n % 2 = 0 then 'EUR' else 'USD' end, 'customer-' || ${h(6, 5000)},
         1500 + ${h(7, 20000)}, 0, 1500 + ${h(7, 20000)}, true, d.day + interval '12 hours' ${grid}
       ${arrival}`,
      [shape.tenants, firstDay, shape.days, shape.ordersPerDay],
    );
    await client.query(
      `insert into dim_channel (tenant_id, channel, first_seen, last_seen)
       select tenant_id, channel, min(day), max(day) from stg_traffic where tenant_id = any($1)
       group by tenant_id, channel`,
      [shape.tenants],
    );
    await client.query(
      `insert into dim_campaign (tenant_id, channel, campaign, first_seen, last_seen)
       select tenant_id, channel, campaign, min(day), max(day) from stg_traffic where tenant_id = any($1)
       group by tenant_id, channel, campaign`,
      [shape.tenants],
    );
    await client.query(
      `insert into fct_source_volume (tenant_id, day, source_id, events)
       select tenant_id, day, 'web', sum(touches) * 3 from stg_traffic where tenant_id = any($1)
       group by tenant_id, day`,
      [shape.tenants],
    );
    // The read models the mart writer keeps in step with fct_daily_channel and fct_orders.
    const fractional = models.flatMap((m) => [`conv_${m}`, `rev_${m}`]);
    const counts = ['sessions', 'touches', 'spend_minor', 'impressions', 'clicks'];
    await client.query(
      `insert into fct_monthly_channel (tenant_id, month, channel, campaign, currency, ${[...counts, ...fractional].join(', ')})
       select tenant_id, date_trunc('month', day)::date, channel, campaign, currency,
         ${counts.map((c) => `sum(${c})`).join(', ')}, ${fractional.map((c) => `sum(${c}::numeric)::float8`).join(', ')}
       from fct_daily_channel where tenant_id = any($1) group by 1, 2, 3, 4, 5 order by 2, 1`,
      [shape.tenants],
    );
    await client.query(
      `insert into fct_daily_orders (tenant_id, day, currency, orders, net_revenue_minor)
       select tenant_id, day, currency, count(*), sum(net_revenue_minor) from fct_orders
       where tenant_id = any($1) and counts_as_conversion group by 1, 2, 3 order by 2, 1`,
      [shape.tenants],
    );
    await client.query(
      `insert into dim_customer (tenant_id, customer_key, first_order_day)
       select tenant_id, customer_key, min(day) from fct_orders
       where tenant_id = any($1) and counts_as_conversion and customer_key is not null group by 1, 2`,
      [shape.tenants],
    );
    // What the writer's transactions leave: a mart version per tenant (dashboard answers are cached per version).
    await client.query(
      `insert into mart_versions (tenant_id, version) select id, nextval('mart_versions_seq') from unnest($1::uuid[]) as t(id)`,
      [shape.tenants],
    );
    const tables = [
      'stg_traffic',
      'stg_spend',
      'fct_daily_channel',
      'fct_monthly_channel',
      'fct_orders',
      'fct_daily_orders',
      'dim_customer',
      'dim_channel',
      'dim_campaign',
      'fct_source_volume',
    ];
    const rows: Record<string, number> = {};
    for (const table of tables) {
      // Autovacuum would get there on its own after a bulk load; the benchmark does not wait for it.
      await client.query(`vacuum analyze ${table}`);
      const [{ n }] = (
        await client.query(`select count(*)::int as n from ${table} where tenant_id = any($1)`, [
          shape.tenants,
        ])
      ).rows;
      rows[table] = n;
    }
    return rows;
  } finally {
    await client.end();
  }
}
