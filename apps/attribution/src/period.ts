import { ApiProblem } from '@sextant/platform/http';

const DAY_MS = 86_400_000;

/** A period of whole UTC days, `from` and `to` inclusive; `end` is the instant after its last day. */
export interface Period {
  from: string;
  to: string;
  start: Date;
  end: Date;
}

/** Checks a period the contract has already shaped (YYYY-MM-DD): not inverted, not too long. */
export function parsePeriod(
  from: string,
  to: string,
  maxDays: number,
  location: 'query' | 'body' = 'query',
): Period {
  const start = new Date(`${from}T00:00:00Z`);
  const last = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(last.getTime()))
    throw ApiProblem.badRequest('The period is not made of valid dates.', [
      {
        field: Number.isNaN(start.getTime()) ? `/${location}/from` : `/${location}/to`,
        message: 'is not a valid date',
      },
    ]);
  if (last < start)
    throw ApiProblem.badRequest(`The period is inverted: to (${to}) is before from (${from}).`, [
      { field: `/${location}/to`, message: 'must not be before from' },
    ]);
  const days = (last.getTime() - start.getTime()) / DAY_MS + 1;
  if (days > maxDays)
    throw ApiProblem.badRequest(`The period covers ${days} days; at most ${maxDays} are allowed.`, [
      { field: `/${location}/to`, message: `must be at most ${maxDays - 1} days after from` },
    ]);
  return { from, to, start, end: new Date(last.getTime() + DAY_MS) };
}
