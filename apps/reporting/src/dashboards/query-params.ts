import { ApiProblem } from '@sextant/platform/http';
import { createHash } from 'node:crypto';

/** The longest period a dashboard query may span (two years and a day). */
export const MAX_RANGE_DAYS = 731;
const DAY_MS = 86_400_000;

export interface Period {
  from: string;
  to: string;
}

/** Checks an inclusive day range: real dates, not inverted, not longer than MAX_RANGE_DAYS. */
export function checkedPeriod(from: string, to: string): Period & { days: number } {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== from)
    throw ApiProblem.badRequest(`'from' is not a calendar date: ${from}`, [
      { field: 'from', message: 'not a date' },
    ]);
  if (Number.isNaN(end) || new Date(end).toISOString().slice(0, 10) !== to)
    throw ApiProblem.badRequest(`'to' is not a calendar date: ${to}`, [
      { field: 'to', message: 'not a date' },
    ]);
  if (end < start)
    throw ApiProblem.badRequest(`The range is inverted: 'to' (${to}) is before 'from' (${from}).`, [
      { field: 'to', message: 'must not be before from' },
    ]);
  const days = (end - start) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS)
    throw ApiProblem.badRequest(`The range spans ${days} days; at most ${MAX_RANGE_DAYS} are allowed.`, [
      { field: 'to', message: `at most ${MAX_RANGE_DAYS} days after from` },
    ]);
  return { from, to, days };
}

/** The equally long period that ends the day before `period` starts. */
export function previousPeriod(period: Period & { days: number }): Period {
  const start = Date.parse(`${period.from}T00:00:00Z`);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(start - period.days * DAY_MS), to: day(start - DAY_MS) };
}

/**
 * A period split into its whole calendar months (`months`: the first days of the first and the
 * last whole month, for fct_monthly_channel) and the day ranges before and after them (`days`).
 */
export function monthSplit(period: Period): { months: Period | null; days: Period[] } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const start = Date.parse(`${period.from}T00:00:00Z`);
  const end = Date.parse(`${period.to}T00:00:00Z`);
  const first = new Date(start);
  const firstWhole =
    first.getUTCDate() === 1 ? start : Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1);
  const last = new Date(end);
  // The first day after the last whole month: the day after `to` when `to` ends its month.
  const afterWhole =
    new Date(end + DAY_MS).getUTCDate() === 1
      ? end + DAY_MS
      : Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), 1);
  if (firstWhole >= afterWhole) return { months: null, days: [{ from: period.from, to: period.to }] };
  const lastWhole = new Date(afterWhole - DAY_MS);
  const days: Period[] = [];
  if (start < firstWhole) days.push({ from: period.from, to: day(firstWhole - DAY_MS) });
  if (afterWhole <= end) days.push({ from: day(afterWhole), to: period.to });
  return {
    months: {
      from: day(firstWhole),
      to: day(Date.UTC(lastWhole.getUTCFullYear(), lastWhole.getUTCMonth(), 1)),
    },
    days,
  };
}

/**
 * Opaque paging cursors: the offset of the next page bound to a fingerprint of the query, so a
 * cursor replayed with other filters or tampered with is a 400, not a silently wrong page.
 */
export class PageCursor {
  static fingerprint(query: object): string {
    return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
  }

  static encode(offset: number, query: object): string {
    return Buffer.from(JSON.stringify({ o: offset, q: PageCursor.fingerprint(query) })).toString('base64url');
  }

  static decode(cursor: string | undefined, query: object): number {
    if (cursor === undefined) return 0;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const { o, q } = (parsed ?? {}) as { o?: unknown; q?: unknown };
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || q !== PageCursor.fingerprint(query))
      throw ApiProblem.badRequest(
        'The cursor is not valid for this query (use the nextCursor of the same query).',
        [{ field: 'cursor', message: 'invalid or from another query' }],
      );
    return o;
  }
}

/** Query strings arrive as strings; the contract has already checked the range. */
export const intParam = (value: string | number | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);
