/**
 * Accuracy measures. Errors are actual - forecast; scaled measures use the in-sample seasonal
 * naive errors of the training series (Hyndman and Koehler 2006, "Another look at measures of
 * forecast accuracy", IJF 22(4), for MASE; the M5 competition's RMSSE, here with the same
 * seasonal lag); sMAPE is the M4 definition 200 |y - f| / (|y| + |f|), taken as 0 when both are 0.
 */
export interface AccuracyMetrics {
  mae: number;
  rmse: number;
  /** Weighted absolute percentage error: sum |e| / sum |y| x 100. */
  wape: number;
  smape: number;
  mase: number;
  rmsse: number;
  /** Mean of forecast - actual: positive when over-forecasting. */
  bias: number;
}

/** Mean absolute and mean squared lag-m differences of the training series (MASE/RMSSE scales). */
export function naiveScales(training: readonly number[], season: number): { mae: number; mse: number } {
  const m = training.length > season ? season : 1;
  let absolute = 0;
  let squared = 0;
  let count = 0;
  for (let t = m; t < training.length; t++) {
    const d = training[t] - training[t - m];
    absolute += Math.abs(d);
    squared += d * d;
    count++;
  }
  return { mae: count ? absolute / count : NaN, mse: count ? squared / count : NaN };
}

export function smape(actual: readonly number[], forecast: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    const denominator = Math.abs(actual[i]) + Math.abs(forecast[i]);
    total += denominator === 0 ? 0 : (200 * Math.abs(actual[i] - forecast[i])) / denominator;
  }
  return total / actual.length;
}

export function accuracy(
  actual: readonly number[],
  forecast: readonly number[],
  training: readonly number[],
  season: number,
): AccuracyMetrics {
  if (actual.length !== forecast.length || actual.length === 0) {
    throw new RangeError('actual and forecast must be non-empty and of the same length');
  }
  const n = actual.length;
  let absolute = 0;
  let squared = 0;
  let totalActual = 0;
  let bias = 0;
  for (let i = 0; i < n; i++) {
    const error = actual[i] - forecast[i];
    absolute += Math.abs(error);
    squared += error * error;
    totalActual += Math.abs(actual[i]);
    bias -= error;
  }
  const scales = naiveScales(training, season);
  const mae = absolute / n;
  const mse = squared / n;
  return {
    mae,
    rmse: Math.sqrt(mse),
    wape: totalActual === 0 ? NaN : (100 * absolute) / totalActual,
    smape: smape(actual, forecast),
    mase: mae / scales.mae,
    rmsse: Math.sqrt(mse / scales.mse),
    bias: bias / n,
  };
}

/**
 * Overall weighted average (M4; Makridakis, Spiliotis and Assimakopoulos 2020, IJF 36(1)): the mean
 * of a method's sMAPE and MASE, each first averaged over all series, relative to Naive2's.
 */
export function owa(
  method: { smape: number; mase: number },
  naive2: { smape: number; mase: number },
): number {
  return 0.5 * (method.smape / naive2.smape + method.mase / naive2.mase);
}
