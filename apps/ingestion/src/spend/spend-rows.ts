import { toMinorUnits } from '@sextant/domain/ingestion';
import type { FieldError } from '@sextant/platform/http';
import { parse } from 'csv-parse/sync';

/** One validated day of spend, amounts in minor units. */
export interface SpendInput {
  date: string;
  channel: string;
  campaign: string;
  currency: string;
  amountMinor: number;
  impressions: number | null;
  clicks: number | null;
}

export interface RawSpendRow {
  date?: unknown;
  channel?: unknown;
  campaign?: unknown;
  currency?: unknown;
  amount?: unknown;
  impressions?: unknown;
  clicks?: unknown;
}

export const MAX_SPEND_ROWS = 10_000;
const CSV_COLUMNS = ['date', 'channel', 'campaign', 'currency', 'amount', 'impressions', 'clicks'];
const REQUIRED_CSV_COLUMNS = ['date', 'channel', 'currency', 'amount'];

export type SpendParse = { ok: true; rows: SpendInput[] } | { ok: false; errors: FieldError[] };

/** JSON rows (already shaped by the contract): errors at `/rows/<index>/<field>`. */
export function readJsonSpend(rows: RawSpendRow[]): SpendParse {
  return validateRows(rows.map((row, index) => ({ row, at: `/rows/${index}` })));
}

/** CSV with a header line; errors at `/line/<line number in the file>/<field>`. */
export function readCsvSpend(text: string): SpendParse {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return {
      ok: false,
      errors: [{ field: line ? `/line/${line}` : '/body', message: (error as Error).message }],
    };
  }
  const header = records.length ? Object.keys(records[0].record) : headerOf(text);
  const errors: FieldError[] = [
    ...REQUIRED_CSV_COLUMNS.filter((column) => !header.includes(column)).map((column) => ({
      field: `/line/1/${column}`,
      message: 'column is missing from the header',
    })),
    ...header
      .filter((column) => !CSV_COLUMNS.includes(column))
      .map((column) => ({
        field: `/line/1/${column}`,
        message: `is not a known column (${CSV_COLUMNS.join(', ')})`,
      })),
  ];
  if (errors.length) return { ok: false, errors };
  if (records.length === 0) return { ok: false, errors: [{ field: '/body', message: 'has no data lines' }] };
  if (records.length > MAX_SPEND_ROWS)
    return { ok: false, errors: [{ field: '/body', message: `has more than ${MAX_SPEND_ROWS} lines` }] };
  return validateRows(
    records.map(({ record, info }) => ({
      row: {
        ...record,
        impressions: record.impressions === '' ? undefined : record.impressions,
        clicks: record.clicks === '' ? undefined : record.clicks,
      },
      at: `/line/${info.lines}`,
    })),
  );
}

function headerOf(text: string): string[] {
  return (text.split(/\r?\n/, 1)[0] ?? '')
    .split(',')
    .map((column) => column.trim())
    .filter(Boolean);
}

function validateRows(rows: { row: RawSpendRow; at: string }[]): SpendParse {
  const errors: FieldError[] = [];
  const seen = new Map<string, string>();
  const valid: SpendInput[] = [];
  for (const { row, at } of rows) {
    const fail = (field: string, message: string) => void errors.push({ field: `${at}/${field}`, message });
    const date = typeof row.date === 'string' ? row.date : '';
    if (!isCalendarDate(date)) fail('date', 'must be a calendar date YYYY-MM-DD');
    const channel = typeof row.channel === 'string' ? row.channel.trim() : '';
    if (channel === '' || channel.length > 64) fail('channel', 'must be 1 to 64 characters');
    const campaign = typeof row.campaign === 'string' ? row.campaign.trim() : '';
    if (campaign.length > 255) fail('campaign', 'must be at most 255 characters');
    const currency = typeof row.currency === 'string' ? row.currency.trim().toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(currency)) fail('currency', 'must be a three-letter ISO 4217 code');
    let amountMinor = 0;
    if (typeof row.amount !== 'string' && typeof row.amount !== 'number') fail('amount', 'is required');
    else if (/^[A-Z]{3}$/.test(currency)) {
      const amount = toMinorUnits(row.amount, currency);
      if (!amount.ok) fail('amount', amount.reason);
      else if (amount.minor < 0) fail('amount', 'must not be negative');
      else amountMinor = amount.minor;
    }
    const impressions = count(row.impressions, () => fail('impressions', 'must be a whole number >= 0'));
    const clicks = count(row.clicks, () => fail('clicks', 'must be a whole number >= 0'));
    const key = `${date}|${channel}|${campaign}`;
    const earlier = seen.get(key);
    if (earlier) fail('date', `repeats the date, channel and campaign of ${earlier}`);
    seen.set(key, at);
    valid.push({ date, channel, campaign, currency, amountMinor, impressions, clicks });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows: valid };
}

function count(value: unknown, fail: () => void): number | null {
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) return number;
  fail();
  return null;
}

export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
