import type { MmmConfig, MmmData } from './config';
import { parseIsoDate, weekIndex } from './model';
import { ADSTOCK_PARAMETERS, SATURATION_PARAMETERS } from './transforms';

export type MmmInputErrorCode =
  | 'length-mismatch'
  | 'bad-date'
  | 'missing-weeks'
  | 'not-finite'
  | 'negative-spend'
  | 'zero-spend-channel'
  | 'too-few-weeks'
  | 'constant-target'
  | 'negative-target'
  | 'duplicate-name'
  | 'bad-lift-test'
  | 'bad-config';

/** Input the model cannot be fitted on; `code` is stable for callers to map. */
export class MmmInputError extends Error {
  constructor(
    readonly code: MmmInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MmmInputError';
  }
}

/** Weeks of data required per model parameter, and in any case. */
export const WEEKS_PER_PARAMETER = 2;
export const MIN_WEEKS = 26;
/** |Pearson r| above which two channels' spend is reported as collinear. */
export const COLLINEARITY_THRESHOLD = 0.95;

export function parameterCount(data: MmmData, config: MmmConfig): number {
  const perChannel =
    1 + ADSTOCK_PARAMETERS[config.adstock].length + SATURATION_PARAMETERS[config.saturation].length;
  return (
    1 +
    (config.trend ? 1 : 0) +
    2 * config.seasonality +
    (data.controls?.length ?? 0) +
    data.channels.length * perChannel +
    1
  );
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Throws MmmInputError on input that cannot be fitted; returns warnings for input that can but is weak. */
export function validateInput(data: MmmData, config: MmmConfig): string[] {
  const warnings: string[] = [];
  const weeks = data.dates.length;
  const columns: { kind: string; name: string; values: number[] }[] = [
    { kind: 'target', name: 'target', values: data.target },
    ...data.channels.map((c) => ({ kind: 'channel', name: c.name, values: c.spend })),
    ...(data.controls ?? []).map((c) => ({ kind: 'control', name: c.name, values: c.values })),
  ];
  if (data.channels.length === 0) throw new MmmInputError('bad-config', 'at least one channel is required');
  const names = new Set<string>();
  for (const column of columns.slice(1)) {
    if (names.has(column.name))
      throw new MmmInputError('duplicate-name', `column '${column.name}' is given twice`);
    names.add(column.name);
  }
  for (const column of columns) {
    if (column.values.length !== weeks) {
      throw new MmmInputError(
        'length-mismatch',
        `${column.kind} '${column.name}' has ${column.values.length} values for ${weeks} dates`,
      );
    }
    column.values.forEach((v, t) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new MmmInputError(
          'not-finite',
          `${column.kind} '${column.name}' is not a finite number in week ${data.dates[t]} (got ${String(v)})`,
        );
      }
    });
  }
  let previous = NaN;
  data.dates.forEach((date, t) => {
    let ms: number;
    try {
      ms = parseIsoDate(date);
    } catch (error) {
      throw new MmmInputError('bad-date', (error as Error).message);
    }
    if (t > 0) {
      const days = Math.round((ms - previous) / 86_400_000);
      if (days <= 0)
        throw new MmmInputError(
          'bad-date',
          `dates must be strictly increasing: ${data.dates[t - 1]} then ${date}`,
        );
      if (days !== 7) {
        throw new MmmInputError(
          'missing-weeks',
          `weeks must be consecutive: ${data.dates[t - 1]} is followed by ${date} (${days} days); fill missing weeks with zero spend and the observed KPI`,
        );
      }
    }
    previous = ms;
  });
  if (!Number.isInteger(config.maxLag) || config.maxLag < 1 || config.maxLag > 52)
    throw new MmmInputError('bad-config', 'maxLag must be an integer from 1 to 52');
  if (!Number.isInteger(config.seasonality) || config.seasonality < 0 || config.seasonality > 10)
    throw new MmmInputError('bad-config', 'seasonality (Fourier order) must be an integer from 0 to 10');
  if (!Number.isInteger(config.holdoutWeeks) || config.holdoutWeeks < 0)
    throw new MmmInputError('bad-config', 'holdoutWeeks must be a non-negative integer');
  const fitWeeks = weeks - config.holdoutWeeks;
  const parameters = parameterCount(data, config);
  const needed = Math.max(MIN_WEEKS, WEEKS_PER_PARAMETER * parameters);
  if (fitWeeks < needed) {
    throw new MmmInputError(
      'too-few-weeks',
      `${fitWeeks} weeks to fit ${parameters} parameters; at least ${needed} are needed (${WEEKS_PER_PARAMETER} per parameter, minimum ${MIN_WEEKS}): add history, drop channels or controls, or lower the seasonality order`,
    );
  }
  const fitted = (values: number[]) => values.slice(0, fitWeeks);
  const target = fitted(data.target);
  if (target.every((v) => v === target[0]))
    throw new MmmInputError('constant-target', 'the target is constant over the fitted weeks');
  if (config.likelihood === 'truncated-normal' && target.some((v) => v < 0)) {
    throw new MmmInputError(
      'negative-target',
      "likelihood 'truncated-normal' is for non-negative KPIs but the target has negative values; use 'normal'",
    );
  }
  for (const channel of data.channels) {
    const t = channel.spend.findIndex((v) => v < 0);
    if (t >= 0)
      throw new MmmInputError(
        'negative-spend',
        `channel '${channel.name}' has negative spend (${channel.spend[t]}) in week ${data.dates[t]}`,
      );
    const active = fitted(channel.spend).filter((v) => v > 0).length;
    if (active === 0)
      throw new MmmInputError(
        'zero-spend-channel',
        `channel '${channel.name}' has zero spend in every fitted week; remove it`,
      );
    if (active < 4)
      warnings.push(
        `channel '${channel.name}' has spend in only ${active} weeks; its effect is mostly prior`,
      );
  }
  for (const control of data.controls ?? []) {
    const values = fitted(control.values);
    if (values.every((v) => v === values[0]))
      warnings.push(
        `control '${control.name}' is constant over the fitted weeks (collinear with the intercept)`,
      );
  }
  for (let i = 0; i < data.channels.length; i++) {
    for (let j = i + 1; j < data.channels.length; j++) {
      const r = correlation(fitted(data.channels[i].spend), fitted(data.channels[j].spend));
      if (Math.abs(r) > COLLINEARITY_THRESHOLD) {
        warnings.push(
          `channels '${data.channels[i].name}' and '${data.channels[j].name}' are collinear (spend correlation ${r.toFixed(3)}): the data cannot separate their effects, so the split between them follows the priors; their summed effect is still identified`,
        );
      }
    }
  }
  const trend = Array.from({ length: fitWeeks }, (_, t) => t);
  const controls = data.controls ?? [];
  controls.forEach((control, k) => {
    const values = fitted(control.values);
    if (config.trend && Math.abs(correlation(values, trend)) > COLLINEARITY_THRESHOLD) {
      warnings.push(
        `control '${control.name}' is collinear with the model's linear trend: drop the control or fit without trend`,
      );
    }
    for (const other of controls.slice(k + 1)) {
      if (Math.abs(correlation(values, fitted(other.values))) > COLLINEARITY_THRESHOLD)
        warnings.push(`controls '${control.name}' and '${other.name}' are collinear`);
    }
    for (const channel of data.channels) {
      if (Math.abs(correlation(values, fitted(channel.spend))) > COLLINEARITY_THRESHOLD) {
        warnings.push(
          `control '${control.name}' is collinear with channel '${channel.name}': the channel's effect cannot be separated from it`,
        );
      }
    }
  });
  for (const test of config.liftTests) {
    const label = `lift test for '${test.channel}' (${test.start}..${test.end})`;
    if (!data.channels.some((c) => c.name === test.channel))
      throw new MmmInputError('bad-lift-test', `${label}: unknown channel`);
    if (!Number.isFinite(test.lift) || !(test.stdError > 0))
      throw new MmmInputError('bad-lift-test', `${label}: needs a finite lift and a positive standard error`);
    let from: number;
    let to: number;
    try {
      from = weekIndex(data.dates, test.start, 'start');
      to = weekIndex(data.dates, test.end, 'end');
    } catch (error) {
      throw new MmmInputError('bad-lift-test', `${label}: ${(error as Error).message}`);
    }
    if (to < from) throw new MmmInputError('bad-lift-test', `${label}: covers no week of the data`);
  }
  return warnings;
}
