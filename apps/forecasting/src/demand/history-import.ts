import type { FieldError } from '@sextant/platform/http';
import { parse } from 'csv-parse/sync';

export interface HistoryRow {
  sku: string;
  date: string;
  quantity: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isCalendarDate = (value: string) =>
  DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

/**
 * Checks import rows; each error names its line (CSV: the file's line, header = 1; JSON: the
 * row's index) and what is wrong with it. Quantities arrive as strings from CSV, numbers from JSON.
 */
export function checkHistoryRows(
  rows: { sku?: unknown; date?: unknown; quantity?: unknown; line: number; where: string }[],
): { rows: HistoryRow[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  const valid: HistoryRow[] = [];
  for (const row of rows) {
    const problems: string[] = [];
    const sku = typeof row.sku === 'string' ? row.sku.trim() : '';
    if (!sku) problems.push('sku is empty');
    else if (sku.length > 255) problems.push('sku is longer than 255 characters');
    const date = typeof row.date === 'string' ? row.date.trim() : '';
    if (!isCalendarDate(date))
      problems.push(`date '${String(row.date ?? '')}' is not a YYYY-MM-DD calendar date`);
    const raw = typeof row.quantity === 'string' ? row.quantity.trim() : row.quantity;
    const quantity = typeof raw === 'number' ? raw : raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(quantity)) problems.push(`quantity '${String(row.quantity ?? '')}' is not a number`);
    else if (quantity < 0) problems.push(`quantity ${quantity} is negative`);
    if (problems.length === 0) {
      const key = `${sku}\u0000${date}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`duplicate date ${date} for sku '${sku}' (first on ${first})`);
      else seen.set(key, row.line);
    }
    if (problems.length > 0) errors.push({ field: row.where, message: problems.join('; ') });
    else valid.push({ sku, date, quantity });
  }
  return { rows: valid, errors };
}

/** CSV with a header naming sku, date and quantity (any order, other columns ignored). */
export function parseHistoryCsv(text: string): { rows: HistoryRow[]; errors: FieldError[] } {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, relax_column_count: true, trim: true, bom: true });
  } catch (error) {
    return {
      rows: [],
      errors: [{ field: '/body', message: `CSV could not be read: ${(error as Error).message}` }],
    };
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const columns = ['sku', 'date', 'quantity'].map((name) => header.indexOf(name));
  if (columns.some((c) => c < 0))
    return {
      rows: [],
      errors: [
        { field: '/body', message: `the header must name sku, date and quantity, got '${header.join(',')}'` },
      ],
    };
  if (records.length < 2)
    return { rows: [], errors: [{ field: '/body', message: 'the CSV has no data rows' }] };
  return checkHistoryRows(
    records.slice(1).map((record, i) => ({
      sku: record[columns[0]],
      date: record[columns[1]],
      quantity: record[columns[2]],
      line: i + 2,
      where: `line ${i + 2}`,
    })),
  );
}

export function checkHistoryJson(rows: { sku: string; date: string; quantity: number }[]) {
  return checkHistoryRows(rows.map((row, i) => ({ ...row, line: i, where: `/body/rows/${i}` })));
}
