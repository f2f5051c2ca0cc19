import type { EventPayloads } from '@sextant/contracts';
import type { EntityManager } from 'typeorm';

type SpendRecorded = EventPayloads['marketing.spend.recorded.v1'];

export interface WeeklyAmount {
  /** Monday of the ISO week, yyyy-mm-dd. */
  week: string;
  channel: string;
  currency: string;
  amountMinor: number;
}

/** Keeps the highest revision of a day's spend per channel and campaign (a redelivery changes nothing). */
export async function upsertDailySpend(manager: EntityManager, tenantId: string, spend: SpendRecorded) {
  await manager.query(
    `insert into mmm_daily_spend
       (tenant_id, spend_date, channel, campaign, currency, amount_minor, revision, recorded_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (tenant_id, spend_date, channel, campaign) do update
       set currency = excluded.currency, amount_minor = excluded.amount_minor,
           revision = excluded.revision, recorded_at = excluded.recorded_at
       where mmm_daily_spend.revision < excluded.revision`,
    [
      tenantId,
      spend.date,
      spend.channel,
      spend.campaign,
      spend.currency,
      spend.amountMinor,
      spend.revision,
      spend.recordedAt,
    ],
  );
}

/** Spend per ISO week (from Monday) and channel, summed over campaigns, for days in [from, to]. */
export async function weeklySpend(
  manager: EntityManager,
  tenantId: string,
  from: string,
  to: string,
): Promise<WeeklyAmount[]> {
  const rows: { week: string; channel: string; currency: string; amount: string }[] = await manager.query(
    `select to_char(date_trunc('week', spend_date), 'YYYY-MM-DD') as week, channel, currency,
            sum(amount_minor)::text as amount
       from mmm_daily_spend
      where tenant_id = $1 and spend_date between $2 and $3
      group by 1, 2, 3 order by 1, 2`,
    [tenantId, from, to],
  );
  return rows.map((r) => ({ ...r, amountMinor: Number(r.amount) }));
}

/**
 * Net revenue (after refunds) per ISO week of conversion time (UTC), from attribution's
 * conversions table (built from orders by the attribution-runs feature). The one place that
 * reads it; resolves to null while that table does not exist.
 */
export async function weeklyRevenue(
  manager: EntityManager,
  tenantId: string,
  from: string,
  to: string,
): Promise<{ week: string; currency: string; amountMinor: number }[] | null> {
  const exists: { present: boolean }[] = await manager.query(
    `select to_regclass('conversions') is not null as present`,
  );
  if (!exists[0]?.present) return null;
  const rows: { week: string; currency: string; amount: string }[] = await manager.query(
    `select to_char(date_trunc('week', converted_at at time zone 'UTC'), 'YYYY-MM-DD') as week, currency,
            sum(revenue_minor)::text as amount
       from conversions
      where tenant_id = $1
        and converted_at >= $2::date and converted_at < ($3::date + 1)
      group by 1, 2 order by 1`,
    [tenantId, from, to],
  );
  return rows.map((r) => ({ week: r.week, currency: r.currency, amountMinor: Number(r.amount) }));
}
