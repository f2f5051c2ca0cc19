import { ForecastMethod } from '../types';

/** SES over the values with a fixed alpha and the first value as initial level (R's HoltWintersZZ). */
function smoothedLevel(values: readonly number[], alpha: number): number {
  let level = values[0];
  for (const value of values) level += alpha * (value - level);
  return level;
}

/** Non-zero demand sizes and the intervals between them (the first counted from the start). */
function demandsAndIntervals(history: readonly number[]): { sizes: number[]; intervals: number[] } {
  const sizes: number[] = [];
  const intervals: number[] = [];
  let last = 0;
  history.forEach((value, i) => {
    if (value > 0) {
      sizes.push(value);
      intervals.push(i + 1 - last);
      last = i + 1;
    }
  });
  return { sizes, intervals };
}

/**
 * Croston's method (Croston 1972, "Forecasting and stock control for intermittent demands", ORQ
 * 23(3)) as R forecast's `croston`: SES with the same alpha (default 0.1) over non-zero demand
 * sizes and over inter-demand intervals, each starting from its first value; forecast = size /
 * interval. A series without demand forecasts 0.
 */
export function crostonForecast(history: readonly number[], alpha = 0.1): number {
  const { sizes, intervals } = demandsAndIntervals(history);
  if (sizes.length === 0) return 0;
  if (sizes.length === 1) return sizes[0] / intervals[0];
  return smoothedLevel(sizes, alpha) / smoothedLevel(intervals, alpha);
}

export function crostonMethod(alpha = 0.1): ForecastMethod {
  return (history, context) => ({
    method: 'croston',
    mean: new Array<number>(context.horizon).fill(crostonForecast(history, alpha)),
  });
}

/**
 * Syntetos-Boylan approximation (Syntetos and Boylan 2005, "The accuracy of intermittent demand
 * estimates", IJF 21(2)): Croston's forecast times (1 - alpha / 2), which removes its bias.
 */
export function sbaMethod(alpha = 0.1): ForecastMethod {
  return (history, context) => ({
    method: 'sba',
    mean: new Array<number>(context.horizon).fill((1 - alpha / 2) * crostonForecast(history, alpha)),
  });
}

const SMOOTHING_GRID = [0.05, 0.1, 0.2, 0.3, 0.5];

/**
 * TSB (Teunter, Syntetos and Babai 2011, "Intermittent demand: linking forecasting to inventory
 * obsolescence", EJOR 214(3)): the demand probability is smoothed every period (beta), the size
 * only when demand occurs (alpha); forecast = probability x size. Initial values: the share of
 * periods with demand and the mean non-zero size. alpha and beta are chosen on the grid
 * {0.05, 0.1, 0.2, 0.3, 0.5} by in-sample one-step mean squared error.
 */
export const tsbMethod: ForecastMethod = (history, context) => {
  const sizes = history.filter((v) => v > 0);
  if (sizes.length === 0) return { method: 'tsb', mean: new Array<number>(context.horizon).fill(0) };
  const initialProbability = sizes.length / history.length;
  const initialSize = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  let best = { sse: Infinity, forecast: 0, model: '' };
  for (const alpha of SMOOTHING_GRID)
    for (const beta of SMOOTHING_GRID) {
      let probability = initialProbability;
      let size = initialSize;
      let sse = 0;
      for (const value of history) {
        const error = value - probability * size;
        sse += error * error;
        probability += beta * ((value > 0 ? 1 : 0) - probability);
        if (value > 0) size += alpha * (value - size);
      }
      if (sse < best.sse)
        best = { sse, forecast: probability * size, model: `TSB(alpha=${alpha},beta=${beta})` };
    }
  return { method: 'tsb', mean: new Array<number>(context.horizon).fill(best.forecast), model: best.model };
};

/** SES with alpha chosen by golden-section search on the in-sample one-step SSE, first value as level. */
function optimisedSesLevel(values: readonly number[]): number {
  const sse = (alpha: number): number => {
    let level = values[0];
    let total = 0;
    for (const value of values) {
      total += (value - level) ** 2;
      level += alpha * (value - level);
    }
    return total;
  };
  let low = 0.01;
  let high = 0.99;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 30; i++) {
    const a = high - ratio * (high - low);
    const b = low + ratio * (high - low);
    if (sse(a) < sse(b)) high = b;
    else low = a;
  }
  return smoothedLevel(values, (low + high) / 2);
}

/**
 * ADIDA (Nikolopoulos, Syntetos, Boylan, Petropoulos and Assimakopoulos 2011, "An
 * aggregate-disaggregate intermittent demand approach (ADIDA) to forecasting", JORS 62(3)): sum the
 * series into non-overlapping buckets (aligned to the end) as long as the mean inter-demand
 * interval (rounded, at least 1), forecast the bucket totals with SES (alpha optimised), and
 * spread the bucket forecast evenly over its periods.
 */
export const adidaMethod: ForecastMethod = (history, context) => {
  const { sizes } = demandsAndIntervals(history);
  if (sizes.length === 0) return { method: 'adida', mean: new Array<number>(context.horizon).fill(0) };
  const firstDemand = history.findIndex((v) => v > 0);
  const bucket = Math.max(1, Math.round((history.length - firstDemand) / sizes.length));
  const buckets: number[] = [];
  for (let end = history.length; end - bucket >= 0; end -= bucket) {
    let total = 0;
    for (let i = end - bucket; i < end; i++) total += history[i];
    buckets.unshift(total);
  }
  const forecast = buckets.length === 0 ? 0 : optimisedSesLevel(buckets) / bucket;
  return {
    method: 'adida',
    mean: new Array<number>(context.horizon).fill(forecast),
    model: `ADIDA(bucket=${bucket})`,
  };
};
