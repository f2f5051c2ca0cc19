import { backtestOrigins } from './backtest';
import { Classification, ClassificationOptions, classifyDemand, DemandClass } from './classification';
import { conformalIntervals } from './conformal';
import { autoEts, AutoEtsOptions } from './ets/auto-ets';
import { forecastEts, forecastWithFixedParameters } from './ets/ets-forecast';
import { etsMethod, sesMethod } from './methods/exponential-smoothing';
import { adidaMethod, crostonMethod, sbaMethod, tsbMethod } from './methods/intermittent';
import { naiveMethod, seasonalNaiveMethod, zeroMethod } from './methods/naive';
import { isSeasonal, thetaMethod } from './methods/theta';
import { ForecastMethod, MethodContext, MethodForecast, MethodName, PredictionIntervals } from './types';
import { ForecastInputError, validateDemand, validateHorizonAndSeason, validateLevels } from './validation';

/**
 * Per-series automatic forecasting: classify the demand, fit the candidate methods of its class at
 * several rolling origins, keep the one with the smallest cross-validated error, refit it on all
 * the data and attach prediction intervals (the model's own, or conformal ones from the
 * cross-validation errors).
 *
 * Fallbacks (recorded in `fallback`): a series too short for any cross-validation origin uses the
 * first candidate of its class that fits (preference order below); a candidate that fails at an
 * origin is dropped from the selection; if the selected method fails on the full series the next
 * best is used, and naive when none fits.
 */
export type SelectionMetric = 'mae' | 'rmse' | 'mse';

export interface DemandForecastOptions {
  horizon: number;
  /** Seasonal period (7 for daily data with a weekly cycle; 1 for none). */
  season: number;
  /** Interval coverage levels in percent (default [80, 95]). */
  levels?: number[];
  /** A fixed method instead of the automatic selection (default 'auto'). */
  method?: MethodName | 'auto';
  /** Candidates per class, in order of preference (default: DEFAULT_CANDIDATES). */
  candidates?: Partial<Record<DemandClass, MethodName[]>>;
  /** Also consider the equal-weight mean of the class's candidates (default false). */
  ensemble?: boolean;
  classification?: ClassificationOptions;
  crossValidation?: {
    /** Number of rolling origins (default 3). */
    origins?: number;
    /** Periods between origins (default: the horizon). */
    step?: number;
    /** Selection error; default MAE for smooth/erratic, MSE for intermittent/lumpy. */
    metric?: SelectionMetric;
  };
  ets?: AutoEtsOptions;
  /**
   * How AutoETS runs at the cross-validation origins: 'full' repeats the whole model selection at
   * each origin; 'fixed-form' (default) selects the ETS form once on all the data and re-estimates
   * only that form's parameters at each origin; 'fixed-parameters' re-runs the filter of the model
   * fitted on all the data up to each origin, without re-estimation. The last two are speed /
   * look-ahead trade-offs (see README).
   */
  etsCrossValidation?: 'full' | 'fixed-form' | 'fixed-parameters';
  /** Let thetaf's 90% seasonality test decide between seasonal and non-seasonal ETS models (default false). */
  etsSeasonTest?: boolean;
  /** Fit on at most this many most recent periods (default: all). */
  maxHistory?: number;
  /** Clamp forecasts and intervals at zero (default true: demand is never negative). */
  nonNegative?: boolean;
  /** Seed for simulated intervals (default 1). */
  seed?: number;
}

export interface DemandForecast {
  class: DemandClass;
  classification: Classification;
  method: MethodName;
  /** Model detail, e.g. "ETS(A,N,A)". */
  model?: string;
  forecast: number[];
  intervals: PredictionIntervals;
  intervalSource: 'model' | 'conformal';
  /** Cross-validated error per candidate (Infinity when it failed), when a selection ran. */
  selection?: { metric: SelectionMetric; origins: number; scores: Partial<Record<MethodName, number>> };
  /** Why the normal path was not followed, when it was not. */
  fallback?: string;
}

/**
 * Options for forecasting thousands of daily SKUs within the service's time budget (see README,
 * "Design choices for speed", for what each choice costs in accuracy): AutoETS keeps R's
 * estimation but searches fewer forms (thetaf's seasonality test picks seasonal or non-seasonal
 * models; trends only damped; at most 300 likelihood evaluations per model) on the last 364 days,
 * and the cross-validation origins re-run the full-data ETS model's filter instead of
 * re-estimating it.
 */
export const SKU_SCALE_OPTIONS = {
  etsCrossValidation: 'fixed-parameters',
  etsSeasonTest: true,
  maxHistory: 364,
  ets: { undampedTrend: false, maxIterations: 300 },
} as const satisfies Partial<DemandForecastOptions>;

export const DEFAULT_CANDIDATES: Record<DemandClass, MethodName[]> = {
  smooth: ['ets', 'theta', 'snaive'],
  erratic: ['ets', 'theta', 'snaive'],
  intermittent: ['sba', 'croston', 'tsb', 'adida'],
  lumpy: ['sba', 'croston', 'tsb', 'adida'],
  new: ['naive'],
  inactive: ['zero'],
};

export function methodByName(
  name: Exclude<MethodName, 'ensemble'>,
  ets: AutoEtsOptions = {},
): ForecastMethod {
  switch (name) {
    case 'ets':
      return etsMethod(ets);
    case 'theta':
      return thetaMethod;
    case 'ses':
      return sesMethod;
    case 'naive':
      return naiveMethod;
    case 'snaive':
      return seasonalNaiveMethod;
    case 'croston':
      return crostonMethod();
    case 'sba':
      return sbaMethod();
    case 'tsb':
      return tsbMethod;
    case 'adida':
      return adidaMethod;
    case 'zero':
      return zeroMethod;
  }
}

function selectionError(metric: SelectionMetric, errors: number[][]): number {
  let total = 0;
  let count = 0;
  for (const window of errors)
    for (const e of window) {
      total += metric === 'mae' ? Math.abs(e) : e * e;
      count++;
    }
  const meanError = total / count;
  return metric === 'rmse' ? Math.sqrt(meanError) : meanError;
}

interface Candidate {
  name: MethodName;
  method: ForecastMethod;
  /** Errors (actual - forecast) per origin; undefined when it failed at some origin. */
  errors?: number[][];
  forecasts?: number[][];
}

export function forecastDemand(values: readonly number[], options: DemandForecastOptions): DemandForecast {
  const { horizon, season } = options;
  validateHorizonAndSeason(horizon, season);
  const levels = options.levels ?? [80, 95];
  validateLevels(levels);
  const series = validateDemand(values);
  if (series.length === 0) throw new ForecastInputError('the series is empty');
  const classification = classifyDemand(series, season, options.classification);
  const demandClass = classification.demandClass;
  const context: MethodContext = { horizon, season, levels, seed: options.seed ?? 1 };
  const first = series.findIndex((v) => v > 0);
  const start = Math.max(first < 0 ? 0 : first, options.maxHistory ? series.length - options.maxHistory : 0);
  const history = series.slice(start);
  const forced = options.method && options.method !== 'auto' ? options.method : undefined;
  const names: MethodName[] = forced
    ? [forced]
    : (options.candidates?.[demandClass] ?? DEFAULT_CANDIDATES[demandClass]);
  const useEnsemble = forced === 'ensemble' || (!forced && options.ensemble === true);
  const baseNames = names.filter((n): n is Exclude<MethodName, 'ensemble'> => n !== 'ensemble');
  const ensembleMembers = forced === 'ensemble' ? DEFAULT_CANDIDATES[demandClass] : baseNames;
  const candidates: Candidate[] = (forced === 'ensemble' ? ensembleMembers : baseNames).map((name) => ({
    name,
    method: methodByName(name as Exclude<MethodName, 'ensemble'>, options.ets),
  }));

  const metric: SelectionMetric =
    options.crossValidation?.metric ??
    (demandClass === 'intermittent' || demandClass === 'lumpy' ? 'mse' : 'mae');
  const minTrain = Math.max(2 * season + 2, 10);
  const origins = backtestOrigins(history.length, horizon, {
    origins: options.crossValidation?.origins ?? 3,
    step: options.crossValidation?.step,
    minTrain,
  });
  const needsSelection = candidates.length > 1 || useEnsemble;
  const needsConformal = candidates.some((c) => c.name !== 'ets' && c.name !== 'theta') || useEnsemble;
  const fallbacks: string[] = [];

  // AutoETS on all the data: the final ETS candidate, and the form or parameters reused at the origins.
  const etsOptions: AutoEtsOptions = {
    ...options.ets,
    seasonal: options.etsSeasonTest ? isSeasonal(history, season) : options.ets?.seasonal,
  };
  let fullEts: MethodForecast | undefined;
  const ets = candidates.find((c) => c.name === 'ets');
  if (ets) ets.method = etsMethod(etsOptions);
  if (ets && origins.length > 0 && needsSelection) {
    try {
      const { fit, name } = autoEts(history, season, etsOptions);
      const forecast = forecastEts(fit, horizon, { levels, seed: context.seed });
      fullEts = { method: 'ets', mean: forecast.mean, intervals: forecast.intervals, model: name };
      const etsMode = options.etsCrossValidation ?? 'fixed-form';
      if (etsMode === 'fixed-form') ets.method = etsMethod({ ...etsOptions, ...parseEtsForm(name) });
      if (etsMode === 'fixed-parameters') {
        ets.method = (h, ctx) => ({ method: 'ets', mean: forecastWithFixedParameters(fit, h, ctx.horizon) });
      }
    } catch {
      fullEts = undefined;
    }
  }

  if (origins.length > 0 && (needsSelection || needsConformal)) {
    for (const candidate of candidates) crossValidate(candidate, history, origins, context);
  } else if (origins.length === 0 && needsSelection) {
    fallbacks.push(
      `series too short for cross-validation (${history.length} periods, needs ${minTrain + horizon}): used the first candidate that fits`,
    );
  }

  const scores: Partial<Record<MethodName, number>> = {};
  const ranked: MethodName[] = [];
  if (origins.length > 0 && needsSelection) {
    for (const c of candidates) scores[c.name] = c.errors ? selectionError(metric, c.errors) : Infinity;
    if (useEnsemble) {
      const members = candidates.filter((c) => c.forecasts);
      if (members.length > 0) {
        const forecasts = origins.map((_, k) =>
          Array.from(
            { length: horizon },
            (_, i) => members.reduce((s, c) => s + c.forecasts![k][i], 0) / members.length,
          ),
        );
        const errors = forecasts.map((f, k) => f.map((v, i) => history[origins[k] + i] - v));
        candidates.push({ name: 'ensemble', method: ensembleOf(members), forecasts, errors });
        scores.ensemble = selectionError(metric, errors);
      } else {
        scores.ensemble = Infinity;
      }
    }
    const order = candidates.map((c) => c.name);
    ranked.push(
      ...[...order].sort(
        (a, b) => (scores[a] ?? Infinity) - (scores[b] ?? Infinity) || order.indexOf(a) - order.indexOf(b),
      ),
    );
  } else {
    ranked.push(...candidates.map((c) => c.name));
    if (useEnsemble && candidates.length > 1) {
      candidates.push({ name: 'ensemble', method: ensembleOf(candidates) });
      ranked.unshift('ensemble');
    }
  }

  if (forced === 'ensemble') ranked.sort((a, b) => Number(b === 'ensemble') - Number(a === 'ensemble'));
  let chosen: { candidate: Candidate; result: MethodForecast } | undefined;
  for (const name of ranked) {
    const candidate = candidates.find((c) => c.name === name)!;
    if (origins.length > 0 && needsSelection && !Number.isFinite(scores[name] ?? Infinity)) continue;
    try {
      const result =
        name === 'ets' && fullEts ? fullEts : fullMethod(candidate, etsOptions).call(null, history, context);
      chosen = { candidate, result };
      break;
    } catch (error) {
      fallbacks.push(`${name} failed on the full series (${(error as Error).message})`);
    }
  }
  if (!chosen) {
    fallbacks.push('no candidate could be fitted: used naive');
    const candidate: Candidate = { name: 'naive', method: naiveMethod };
    chosen = { candidate, result: naiveMethod(history, context) };
  }

  const intervals =
    chosen.result.intervals ?? conformalFor(chosen.candidate, chosen.result.mean, history, levels);
  const intervalSource: DemandForecast['intervalSource'] = chosen.result.intervals ? 'model' : 'conformal';
  const clamp = options.nonNegative ?? true;
  const bound = (v: number[]): number[] => (clamp ? v.map((x) => Math.max(0, x)) : v);
  const clampedIntervals: PredictionIntervals = {};
  for (const [level, band] of Object.entries(intervals)) {
    clampedIntervals[level] = { lower: bound(band.lower), upper: bound(band.upper) };
  }
  return {
    class: demandClass,
    classification,
    method: chosen.candidate.name,
    model: chosen.result.model,
    forecast: bound(chosen.result.mean),
    intervals: clampedIntervals,
    intervalSource,
    selection: origins.length > 0 && needsSelection ? { metric, origins: origins.length, scores } : undefined,
    fallback: fallbacks.length > 0 ? fallbacks.join('; ') : undefined,
  };
}

/** Forecasts at every origin from the data before it; a failure anywhere drops the candidate. */
function crossValidate(
  candidate: Candidate,
  history: number[],
  origins: number[],
  context: MethodContext,
): void {
  try {
    candidate.forecasts = origins.map((origin) => candidate.method(history.slice(0, origin), context).mean);
    candidate.errors = candidate.forecasts.map((f, k) => f.map((v, i) => history[origins[k] + i] - v));
  } catch {
    candidate.forecasts = undefined;
    candidate.errors = undefined;
  }
}

/** Conformal intervals from the candidate's CV errors, or from one-step naive errors without CV. */
function conformalFor(
  candidate: Candidate,
  mean: number[],
  history: number[],
  levels: number[],
): PredictionIntervals {
  let errors = candidate.errors;
  if (!errors) {
    errors = [];
    for (let t = 1; t < history.length; t++) errors.push([history[t] - history[t - 1]]);
  }
  return conformalIntervals(mean, errors, levels);
}

/** On the full data ETS selects its form afresh, whatever was used at the origins. */
function fullMethod(candidate: Candidate, etsOptions: AutoEtsOptions): ForecastMethod {
  return candidate.name === 'ets' ? etsMethod(etsOptions) : candidate.method;
}

function ensembleOf(members: Candidate[]): ForecastMethod {
  return (history, context) => {
    const forecasts = members.map((m) => m.method(history, context).mean);
    return {
      method: 'ensemble',
      mean: Array.from(
        { length: context.horizon },
        (_, i) => forecasts.reduce((s, f) => s + f[i], 0) / forecasts.length,
      ),
      model: `mean of ${members.map((m) => m.name).join(', ')}`,
    };
  };
}

function parseEtsForm(model: string | undefined): AutoEtsOptions | undefined {
  const match = model?.match(/^ETS\(([AM]),([NAM])(d?),([NAM])\)$/);
  if (!match) return undefined;
  return {
    error: match[1] as 'A' | 'M',
    trend: match[2] as 'N' | 'A' | 'M',
    damped: match[3] === 'd',
    season: match[4] as 'N' | 'A' | 'M',
  };
}
