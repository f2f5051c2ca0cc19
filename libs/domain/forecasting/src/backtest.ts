import { ForecastMethod, MethodContext } from './types';

/**
 * Rolling-origin evaluation (Tashman 2000, "Out-of-sample tests of forecasting accuracy", IJF
 * 16(4)): the method is refitted at each origin on the data before it and forecasts the next
 * horizon steps. The last origin leaves exactly one horizon for testing; earlier ones step back by
 * `step` periods. Origins whose training part is shorter than `minTrain` are skipped.
 */
export interface BacktestOptions {
  origins?: number;
  /** Periods between consecutive origins (default: the horizon). */
  step?: number;
  minTrain?: number;
}

export interface BacktestWindow {
  /** Index of the first forecast period (= training length). */
  origin: number;
  forecast: number[];
  actual: number[];
}

export function backtestOrigins(length: number, horizon: number, options: BacktestOptions = {}): number[] {
  const count = options.origins ?? 3;
  const step = options.step ?? horizon;
  const minTrain = options.minTrain ?? 1;
  const origins: number[] = [];
  for (let k = count - 1; k >= 0; k--) {
    const origin = length - horizon - k * step;
    if (origin >= minTrain) origins.push(origin);
  }
  return origins;
}

export function rollingOriginBacktest(
  series: readonly number[],
  method: ForecastMethod,
  context: MethodContext,
  options: BacktestOptions = {},
): BacktestWindow[] {
  return backtestOrigins(series.length, context.horizon, options).map((origin) => ({
    origin,
    forecast: method(series.slice(0, origin), context).mean,
    actual: series.slice(origin, origin + context.horizon),
  }));
}
