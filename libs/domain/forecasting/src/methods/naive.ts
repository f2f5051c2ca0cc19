import { classicalSeasonal } from '../numeric';
import { ForecastMethod } from '../types';
import { isSeasonal } from './theta';

/** Naive: every forecast is the last observation. */
export const naiveMethod: ForecastMethod = (history, context) => {
  if (history.length === 0) throw new RangeError('naive needs at least one observation');
  return { method: 'naive', mean: new Array<number>(context.horizon).fill(history[history.length - 1]) };
};

/** Seasonal naive: the value one season earlier (naive when the series is shorter than a season). */
export const seasonalNaiveMethod: ForecastMethod = (history, context) => {
  const n = history.length;
  const m = context.season;
  if (n < m || m <= 1) return { ...naiveMethod(history, context), method: 'snaive' };
  return {
    method: 'snaive',
    mean: Array.from({ length: context.horizon }, (_, i) => history[n - m + (i % m)]),
  };
};

/** Zero: the forecast of an inactive item. */
export const zeroMethod: ForecastMethod = (_history, context) => ({
  method: 'zero',
  mean: new Array<number>(context.horizon).fill(0),
});

/**
 * Naive2, the M4 competition's reference for OWA (Makridakis, Spiliotis and Assimakopoulos 2020,
 * IJF 36(1)): naive on the series seasonally adjusted by classical multiplicative decomposition when
 * the 90% autocorrelation test finds seasonality (with at least three seasons), reseasonalised.
 */
export const naive2Method: ForecastMethod = (history, context) => {
  const n = history.length;
  const m = context.season;
  if (!isSeasonal(history, m, 3)) return { ...naiveMethod(history, context), model: 'Naive2' };
  const indices = classicalSeasonal(history, m, 'multiplicative');
  const last = history[n - 1] / indices[n - 1];
  return {
    ...naiveMethod(history, context),
    mean: Array.from({ length: context.horizon }, (_, i) => last * indices[n - m + (i % m)]),
    model: 'Naive2',
  };
};
