/** Calendar arithmetic on YYYY-MM-DD days (UTC). */
export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

export type Frequency = 'day' | 'week';

export interface DemandSeries {
  /** First day of the first period. */
  start: string;
  values: number[];
}

/**
 * A SKU's daily rows as a series from its first row to `end`, missing days as zero. Weekly:
 * 7-day sums aligned so the last week ends on `end` (no partial week at the end; a partial first
 * week is dropped), each labelled with its first day.
 */
export function demandSeries(
  rows: { day: string; quantity: number }[],
  end: string,
  frequency: Frequency,
): DemandSeries {
  if (rows.length === 0) return { start: addDays(end, 1), values: [] };
  const first = rows.reduce((min, r) => (r.day < min ? r.day : min), rows[0].day);
  const length = daysBetween(first, end) + 1;
  const daily = new Array<number>(Math.max(0, length)).fill(0);
  for (const row of rows) {
    const i = daysBetween(first, row.day);
    if (i >= 0 && i < length) daily[i] += row.quantity;
  }
  if (frequency === 'day') return { start: first, values: daily };
  const weeks = Math.floor(length / 7);
  const offset = length - weeks * 7;
  const values = Array.from({ length: weeks }, (_, w) =>
    daily.slice(offset + 7 * w, offset + 7 * w + 7).reduce((s, v) => s + v, 0),
  );
  return { start: addDays(first, offset), values };
}

/** Labels of the `horizon` periods after `end`. */
export function forecastPeriods(end: string, frequency: Frequency, horizon: number): string[] {
  const step = frequency === 'day' ? 1 : 7;
  return Array.from({ length: horizon }, (_, i) => addDays(end, 1 + i * step));
}

/** Labels of a series' periods. */
export function seriesPeriods(series: DemandSeries, frequency: Frequency): string[] {
  const step = frequency === 'day' ? 1 : 7;
  return series.values.map((_, i) => addDays(series.start, i * step));
}
