import type { MmmData } from '@sextant/domain/mmm';
import { parse } from 'csv-parse/sync';

export type Cell = string | number | null | undefined;
export type Row = Record<string, Cell>;

export interface ColumnRoles {
  dateColumn: string;
  targetColumn: string;
  channelColumns: string[];
  controlColumns: string[];
}

/** Why an upload cannot be read (before the model's own checks); the field names the column or row. */
export class DatasetInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Rows of a CSV with a header line. */
export function parseCsvRows(text: string): Row[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Row[];
  } catch (error) {
    throw new DatasetInputError(`the CSV cannot be read: ${(error as Error).message}`, '/body');
  }
}

/** Comma-separated column names from a query parameter. */
export function columnList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/**
 * The model's input from rows and column roles. An empty or non-numeric cell becomes NaN, so the
 * model's validation reports it with its week; a missing column is reported here.
 */
export function toMmmData(rows: Row[], roles: ColumnRoles): MmmData {
  if (rows.length === 0) throw new DatasetInputError('the dataset has no rows', '/body');
  const all = [roles.dateColumn, roles.targetColumn, ...roles.channelColumns, ...roles.controlColumns];
  const seen = new Set<string>();
  for (const column of all) {
    if (seen.has(column)) throw new DatasetInputError(`column '${column}' has two roles`, column);
    seen.add(column);
    if (!rows.some((row) => column in row))
      throw new DatasetInputError(`column '${column}' is not in the data`, column);
  }
  const numbers = (column: string) => rows.map((row) => toNumber(row[column]));
  return {
    dates: rows.map((row) => String(row[roles.dateColumn] ?? '').trim()),
    target: numbers(roles.targetColumn),
    channels: roles.channelColumns.map((name) => ({ name, spend: numbers(name) })),
    controls: roles.controlColumns.map((name) => ({ name, values: numbers(name) })),
  };
}

function toNumber(cell: Cell): number {
  if (typeof cell === 'number') return cell;
  if (cell === null || cell === undefined) return NaN;
  const text = cell.trim();
  if (text === '') return NaN;
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? NaN : value;
}
