import { readFileSync } from 'node:fs';
import {
  DemandForecast,
  forecastDemand,
  ForecastInputError,
  MethodName,
  validateHorizonAndSeason,
} from '@sextant/domain/forecasting';
import type { CliCommand } from '../command';

const METHODS = ['auto', 'ets', 'theta', 'croston', 'sba', 'tsb', 'adida', 'snaive'] as const;
type CliMethod = (typeof METHODS)[number];

const USAGE = `usage: sextant forecast --input FILE --horizon H --season M [--method ${METHODS.join('|')}]
                        [--levels 80,95] [--format json|csv]

Forecasts every series of a long CSV file with the header series_id,t,value (t: consecutive
integers within a series, value: a non-negative quantity). Prints JSON
{"series":[{"id","class","method","forecast","intervals":{"80":{"lower","upper"}}}]} or CSV
(series_id,step,forecast,lower_80,upper_80,...) on stdout, a progress bar on stderr.`;

/** Bad data in the input file (exit code 1). */
export class InputFileError extends Error {}
/** Bad command line (exit code 2). */
class UsageError extends Error {}

export interface LongSeries {
  id: string;
  values: number[];
}

/** Parses and checks a long CSV (series_id,t,value); errors name the line or the series. */
export function parseLongCsv(text: string): LongSeries[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]
    ?.trim()
    .split(',')
    .map((c) => c.trim());
  if (!header || header.join(',') !== 'series_id,t,value') {
    throw new InputFileError(`line 1: expected the header 'series_id,t,value', got '${lines[0] ?? ''}'`);
  }
  const bySeries = new Map<string, { t: number; value: number; line: number }[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const lineNumber = i + 1;
    const cells = line.split(',');
    if (cells.length !== 3)
      throw new InputFileError(`line ${lineNumber}: expected 3 fields, got ${cells.length}`);
    const [id, tText, valueText] = cells.map((c) => c.trim());
    if (id === '') throw new InputFileError(`line ${lineNumber}: empty series_id`);
    const t = Number(tText);
    if (tText === '' || !Number.isInteger(t))
      throw new InputFileError(`line ${lineNumber}: t '${tText}' is not an integer`);
    const value = Number(valueText);
    if (valueText === '' || !Number.isFinite(value)) {
      throw new InputFileError(`line ${lineNumber}: value '${valueText}' is not a number (series '${id}')`);
    }
    if (value < 0)
      throw new InputFileError(`line ${lineNumber}: value ${value} is negative (series '${id}')`);
    const rows = bySeries.get(id) ?? [];
    rows.push({ t, value, line: lineNumber });
    bySeries.set(id, rows);
  }
  if (bySeries.size === 0) throw new InputFileError('the file has no data rows');
  return [...bySeries].map(([id, rows]) => {
    rows.sort((a, b) => a.t - b.t);
    for (let k = 1; k < rows.length; k++) {
      const previous = rows[k - 1];
      const current = rows[k];
      if (current.t === previous.t) {
        throw new InputFileError(
          `series '${id}': duplicate t=${current.t} (lines ${previous.line} and ${current.line})`,
        );
      }
      if (current.t !== previous.t + 1) {
        throw new InputFileError(
          `series '${id}': gap between t=${previous.t} (line ${previous.line}) and t=${current.t} (line ${current.line})`,
        );
      }
    }
    return { id, values: rows.map((r) => r.value) };
  });
}

interface CliOptions {
  input: string;
  horizon: number;
  season: number;
  method: CliMethod;
  levels: number[];
  format: 'json' | 'csv';
}

function parseArgs(argv: string[]): CliOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!['--input', '--horizon', '--season', '--method', '--levels', '--format'].includes(flag)) {
      throw new UsageError(`unknown option '${flag}'`);
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    values.set(flag, value);
    i++;
  }
  const required = (flag: string): string => {
    const value = values.get(flag);
    if (value === undefined) throw new UsageError(`${flag} is required`);
    return value;
  };
  const integer = (flag: string): number => {
    const text = required(flag);
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
    return value;
  };
  const method = (values.get('--method') ?? 'auto') as CliMethod;
  if (!METHODS.includes(method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}`);
  const format = values.get('--format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv`);
  const levels = (values.get('--levels') ?? '80,95').split(',').map((l) => Number(l.trim()));
  if (levels.some((l) => !Number.isFinite(l) || l <= 0 || l >= 100)) {
    throw new UsageError(`--levels must be numbers between 0 and 100, got '${values.get('--levels')}'`);
  }
  const horizon = integer('--horizon');
  const season = integer('--season');
  try {
    validateHorizonAndSeason(horizon, season);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    input: required('--input'),
    horizon,
    season,
    method,
    levels,
    format,
  };
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} series`;
}

function toCsv(results: { id: string; result: DemandForecast }[], levels: number[]): string {
  const header = ['series_id', 'step', 'forecast', ...levels.flatMap((l) => [`lower_${l}`, `upper_${l}`])];
  const lines = [header.join(',')];
  for (const { id, result } of results) {
    result.forecast.forEach((value, i) => {
      const bounds = levels.flatMap((l) => [
        result.intervals[String(l)].lower[i],
        result.intervals[String(l)].upper[i],
      ]);
      lines.push([id, i + 1, value, ...bounds].join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}

export const command: CliCommand = {
  summary: 'Forecast demand per series from a long CSV (series_id,t,value)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let options: CliOptions;
    let series: LongSeries[];
    try {
      options = parseArgs(argv);
      let text: string;
      try {
        text = readFileSync(options.input, 'utf8');
      } catch (error) {
        throw new InputFileError(`cannot read ${options.input}: ${(error as Error).message}`);
      }
      series = parseLongCsv(text);
    } catch (error) {
      if (error instanceof UsageError) {
        process.stderr.write(`sextant forecast: ${error.message}\n${USAGE}\n`);
        return 2;
      }
      if (error instanceof InputFileError) {
        process.stderr.write(`sextant forecast: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const results: { id: string; result: DemandForecast }[] = [];
    let lastDraw = 0;
    for (const [index, s] of series.entries()) {
      try {
        const result = forecastDemand(s.values, {
          horizon: options.horizon,
          season: options.season,
          levels: options.levels,
          method: options.method as MethodName | 'auto',
        });
        results.push({ id: s.id, result });
      } catch (error) {
        if (error instanceof ForecastInputError) {
          process.stderr.write(`\nsextant forecast: series '${s.id}': ${error.message}\n`);
          return 1;
        }
        throw error;
      }
      const now = Date.now();
      if (now - lastDraw > 100 || index === series.length - 1) {
        process.stderr.write(progressBar(index + 1, series.length));
        lastDraw = now;
      }
    }
    process.stderr.write('\n');
    if (options.format === 'csv') {
      process.stdout.write(toCsv(results, options.levels));
    } else {
      const body = {
        series: results.map(({ id, result }) => ({
          id,
          class: result.class,
          method: result.method,
          model: result.model,
          forecast: result.forecast,
          intervals: result.intervals,
          intervalSource: result.intervalSource,
          ...(result.fallback ? { fallback: result.fallback } : {}),
        })),
      };
      process.stdout.write(`${JSON.stringify(body)}\n`);
    }
    return 0;
  },
};
