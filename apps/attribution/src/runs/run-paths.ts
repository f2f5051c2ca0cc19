import { type PathRecord, pathTableFromRecords, type PathTable } from '@sextant/domain/attribution';
import type { EntityManager } from 'typeorm';
import type { Period } from '../period';

export interface PeriodPaths {
  table: PathTable;
  converting: number;
  nonConverting: number;
  conversions: number;
  revenueMinor: number;
  currency: string | null;
}

/**
 * The journeys of a period as paths (channels in time order):
 * - converting: each conversion in the period with a non-empty journey (its touches within the
 *   lookback window before it), 1 conversion worth its net revenue;
 * - non-converting (when asked): per profile, its touches in the period that no conversion of the
 *   profile followed within the lookback window, one path per profile.
 * Conversions with an empty journey are not attributed (no channel to credit). Revenue sums minor
 * units; `currency` is null when the period's conversions are in more than one currency.
 */
export async function periodPaths(
  manager: EntityManager,
  period: Period,
  lookbackDays: number,
  includeNonConverting: boolean,
): Promise<PeriodPaths> {
  const converting: { channels: string[]; revenue_minor: string; currency: string }[] = await manager.query(
    `select array_agg(t.channel order by t.touched_at, t.event_id) as channels, c.revenue_minor, c.currency
       from attribution.conversions c
       join attribution.touchpoints t on t.profile_id = c.profile_id
        and t.touched_at <= c.converted_at and t.touched_at >= c.converted_at - make_interval(days => $3)
      where c.converted_at >= $1 and c.converted_at < $2
      group by c.order_id, c.revenue_minor, c.currency`,
    [period.start, period.end, lookbackDays],
  );
  const nonConverting: { channels: string[] }[] = includeNonConverting
    ? await manager.query(
        `select array_agg(t.channel order by t.touched_at, t.event_id) as channels
           from attribution.touchpoints t
          where t.touched_at >= $1 and t.touched_at < $2
            and not exists (select 1 from attribution.conversions c
                             where c.profile_id = t.profile_id and c.converted_at >= t.touched_at
                               and c.converted_at <= t.touched_at + make_interval(days => $3))
          group by t.profile_id`,
        [period.start, period.end, lookbackDays],
      )
    : [];
  const records: PathRecord[] = [
    ...converting.map((p) => ({
      channels: p.channels,
      conversions: 1,
      value: Number(p.revenue_minor),
      nulls: 0,
    })),
    ...nonConverting.map((p) => ({ channels: p.channels, conversions: 0, value: 0, nulls: 1 })),
  ];
  const currencies = new Set(converting.map((p) => p.currency));
  return {
    table: pathTableFromRecords(records),
    converting: converting.length,
    nonConverting: nonConverting.length,
    conversions: converting.length,
    revenueMinor: records.reduce((sum, r) => sum + r.value, 0),
    currency: currencies.size === 1 ? [...currencies][0] : null,
  };
}
