import { autocorrelations, classicalSeasonal, isConstant, linearFit, normalQuantile } from '../numeric';
import { ForecastMethod, PredictionIntervals } from '../types';
import { fitSes } from './exponential-smoothing';

/**
 * Seasonality test of R forecast's `thetaf`: the lag-m autocorrelation is significant at 90%
 * (two-sided, Bartlett's standard error) on series longer than two seasons; M4's Naive2 uses the
 * same test with `minSeasons = 3`.
 */
export function isSeasonal(history: readonly number[], m: number, minSeasons = 2): boolean {
  const n = history.length;
  const longEnough = minSeasons === 2 ? n > 2 * m : n >= minSeasons * m;
  if (m <= 1 || isConstant(history) || !longEnough) return false;
  const r = autocorrelations(history, m);
  let squares = 0;
  for (let k = 0; k < m - 1; k++) squares += r[k] * r[k];
  const standardError = Math.sqrt((1 + 2 * squares) / n);
  return Math.abs(r[m - 1]) / standardError > normalQuantile(0.95);
}

/**
 * The Theta method as R forecast's `thetaf` (Hyndman and Billah 2003, "Unmasking the Theta
 * method", IJF 19(2); Assimakopoulos and Nikolopoulos 2000): if the seasonality test passes, a
 * classical multiplicative decomposition seasonally adjusts the series; SES (fitted as `ses`)
 * forecasts the adjusted series, plus a drift of half the slope of a linear trend fitted to it,
 * b/2 * (h - 1 + (1 - (1 - alpha)^n) / alpha); the forecasts are then reseasonalised with the last
 * season's indices. Intervals are thetaf's: the SES variance sigma^2 (1 + (h - 1) alpha^2).
 */
export const thetaMethod: ForecastMethod = (history, context) => {
  const n = history.length;
  const m = context.season;
  let adjusted = [...history];
  let seasonal: number[] | undefined;
  if (isSeasonal(history, m)) {
    const indices = classicalSeasonal(history, m, 'multiplicative');
    if (indices.every((s) => Math.abs(s) >= 1e-4)) {
      seasonal = indices;
      adjusted = history.map((v, i) => v / indices[i]);
    }
  }
  const { fit, mean: sesMean } = fitSes(adjusted, context);
  const halfSlope =
    linearFit(
      adjusted.map((_, i) => i),
      adjusted,
    ).slope / 2;
  const alpha = Math.max(1e-10, fit.params.alpha);
  const mean = sesMean.map((v, i) => v + halfSlope * (i + (1 - Math.pow(1 - alpha, n)) / alpha));
  if (seasonal) for (let i = 0; i < mean.length; i++) mean[i] *= seasonal[n - m + (i % m)];
  const intervals: PredictionIntervals = {};
  for (const level of context.levels) {
    const z = -normalQuantile(0.5 - level / 200);
    const se = mean.map((_, i) => Math.sqrt(fit.sigma2) * Math.sqrt(i * alpha * alpha + 1));
    intervals[String(level)] = {
      lower: mean.map((v, i) => v - z * se[i]),
      upper: mean.map((v, i) => v + z * se[i]),
    };
  }
  return { method: 'theta', mean, intervals, model: seasonal ? 'Theta (seasonally adjusted)' : 'Theta' };
};
