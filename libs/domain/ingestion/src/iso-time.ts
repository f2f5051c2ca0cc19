const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Milliseconds since the epoch of an ISO-8601 date-time that carries a time zone (`Z` or an offset),
 * or a reason it is not one. Calendar-impossible dates (2015-02-30) are refused, which `Date.parse`
 * alone would roll over into March.
 */
export function parseIsoDateTime(text: unknown): { ok: true; ms: number } | { ok: false; reason: string } {
  if (typeof text !== 'string') return { ok: false, reason: 'must be an ISO-8601 date-time string' };
  const match = ISO_DATE_TIME.exec(text);
  if (!match) {
    return { ok: false, reason: `"${text}" is not an ISO-8601 date-time with a time zone` };
  }
  const [year, month, day, hour, minute, second = '0'] = match.slice(1, 7).map(Number);
  const sameDay = new Date(Date.UTC(year, month - 1, day));
  if (
    sameDay.getUTCFullYear() !== year ||
    sameDay.getUTCMonth() !== month - 1 ||
    sameDay.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    Number(second) > 59
  ) {
    return { ok: false, reason: `"${text}" is not a real calendar date and time` };
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return { ok: false, reason: `"${text}" cannot be read as a date-time` };
  return { ok: true, ms };
}
