import type { MmmData } from '@sextant/domain/mmm';
import type { WeeklyAmount } from './mmm.repository';

const DAY_MS = 86_400_000;

/** Monday of the week of an ISO date. */
export function mondayOf(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7;
  return new Date(ms - weekday * DAY_MS).toISOString().slice(0, 10);
}

/** Every Monday from the week of `from` to the week of `to`. */
export function weeksBetween(from: string, to: string): string[] {
  const weeks: string[] = [];
  for (
    let ms = Date.parse(`${mondayOf(from)}T00:00:00Z`);
    ms <= Date.parse(`${to}T00:00:00Z`);
    ms += 7 * DAY_MS
  )
    weeks.push(new Date(ms).toISOString().slice(0, 10));
  return weeks;
}

export class EventSeriesError extends Error {}

/**
 * Weekly model input from spend per week and channel and net revenue per week (both in minor
 * units of one currency; reported in major units, /100). A week without spend rows is zero spend;
 * a week without conversions is zero revenue. `channels` limits the fit to those channels.
 */
export function eventSeries(
  weeks: string[],
  spend: WeeklyAmount[],
  revenue: { week: string; currency: string; amountMinor: number }[],
  channels?: string[],
): MmmData {
  const currencies = new Set([...spend.map((s) => s.currency), ...revenue.map((r) => r.currency)]);
  if (currencies.size > 1)
    throw new EventSeriesError(
      `spend and revenue are in several currencies (${[...currencies].sort().join(', ')}); the model needs one`,
    );
  const recorded = [...new Set(spend.map((s) => s.channel))].sort();
  const names = channels ?? recorded;
  const unknown = names.filter((name) => !recorded.includes(name));
  if (unknown.length)
    throw new EventSeriesError(`no spend recorded for channel(s) ${unknown.join(', ')} in this period`);
  if (names.length === 0) throw new EventSeriesError('no spend is recorded in this period');
  const index = new Map(weeks.map((w, i) => [w, i]));
  const target = weeks.map(() => 0);
  for (const r of revenue) {
    const i = index.get(r.week);
    if (i !== undefined) target[i] += r.amountMinor / 100;
  }
  return {
    dates: weeks,
    target,
    channels: names.map((name) => {
      const series = weeks.map(() => 0);
      for (const s of spend) {
        const i = index.get(s.week);
        if (s.channel === name && i !== undefined) series[i] += s.amountMinor / 100;
      }
      return { name, spend: series };
    }),
    controls: [],
  };
}
