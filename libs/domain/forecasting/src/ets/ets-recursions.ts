/**
 * The ETS state-space recursions, ported from R forecast's C code (`etscalc`, `forecast`,
 * `update` in src/etscalc.c; Hyndman, Koehler, Snyder and Grose 2002, "A state space framework for
 * automatic forecasting using exponential smoothing methods", IJF 18(3), and Hyndman, Koehler, Ord
 * and Snyder 2008, "Forecasting with Exponential Smoothing", Springer, tables 2.2 and 2.3).
 *
 * State vector order is R's: level, trend (when present), then seasonal states s[0..m-1] with
 * s[0] the most recent and s[m-1] the one applying to the next observation.
 */
export type ErrorType = 'A' | 'M';
export type TrendType = 'N' | 'A' | 'M';
export type SeasonType = 'N' | 'A' | 'M';

export interface EtsComponents {
  error: ErrorType;
  trend: TrendType;
  season: SeasonType;
  damped: boolean;
}

/** Smoothing parameters; beta = 0 without trend, gamma = 0 without season, phi = 1 without damping. */
export interface EtsParameters {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface EtsRecursionResult {
  /** R's "likelihood" criterion: n log(SSE of errors) (+ 2 sum log|fitted| for multiplicative errors). */
  lik: number;
  /** Mean squared one-step error on the original scale (R's amse[1]). */
  mse: number;
}

export interface EtsTrace {
  /** Model errors: y - fitted (additive) or (y - fitted) / fitted (multiplicative). */
  residuals: Float64Array;
  fitted: Float64Array;
  /** State after the last observation, in R's order. */
  finalState: number[];
}

const TOL = 1.0e-10;
const HUGE = 1.0e10;

/**
 * Runs the filter over y from the initial state (full state: level, trend?, m seasonal states).
 * Returns NaN likelihood when a multiplicative trend goes negative (R's NA).
 */
export function runEtsRecursions(
  y: ArrayLike<number>,
  components: EtsComponents,
  m: number,
  params: EtsParameters,
  initialState: ArrayLike<number>,
  seasonalBuffer: Float64Array,
  trace?: EtsTrace,
): EtsRecursionResult {
  const n = y.length;
  // Numeric codes keep the hot loop free of string comparisons: 0 none, 1 additive, 2 multiplicative.
  const trend = components.trend === 'N' ? 0 : components.trend === 'A' ? 1 : 2;
  const season = components.season === 'N' ? 0 : components.season === 'A' ? 1 : 2;
  const multiplicativeError = components.error === 'M';
  const { alpha, beta, gamma, phi } = params;
  const betaStar = beta / alpha;
  const hasTrend = trend !== 0;
  const period = season === 0 ? 1 : m;
  const seasonOffset = hasTrend ? 2 : 1;
  // seasonalBuffer[k] holds the seasonal state for times t with t % period === k.
  if (season !== 0)
    for (let k = 0; k < period; k++) seasonalBuffer[k] = initialState[seasonOffset + period - 1 - k];
  let level = initialState[0];
  let growth = hasTrend ? initialState[1] : 0;
  const unitPhi = Math.abs(phi - 1) < TOL;
  let sse = 0;
  let rawSse = 0;
  // Sum of log|fitted| kept as a running product, logged only when it nears the double range.
  let fittedProduct = 1;
  let sumLogFitted = 0;
  let k = 0;
  for (let t = 0; t < n; t++) {
    const observation = y[t];
    const oldSeason = season === 0 ? 0 : seasonalBuffer[k];
    let q: number;
    let phiB: number;
    if (trend === 0) {
      q = level;
      phiB = 0;
    } else if (trend === 1) {
      phiB = phi * growth;
      q = level + phiB;
    } else {
      if (growth < 0) return { lik: NaN, mse: NaN };
      phiB = unitPhi ? growth : Math.pow(growth, phi);
      q = level * phiB;
    }
    const fitted = season === 0 ? q : season === 1 ? q + oldSeason : q * oldSeason;
    const rawError = observation - fitted;
    rawSse += rawError * rawError;
    if (multiplicativeError) {
      const error = rawError / fitted;
      sse += error * error;
      fittedProduct *= fitted < 0 ? -fitted : fitted;
      if (fittedProduct > 1e250 || fittedProduct < 1e-250) {
        sumLogFitted += Math.log(fittedProduct);
        fittedProduct = 1;
      }
      if (trace) trace.residuals[t] = error;
    } else {
      sse += rawError * rawError;
      if (trace) trace.residuals[t] = rawError;
    }
    if (trace) trace.fitted[t] = fitted;
    let p: number;
    if (season === 0) p = observation;
    else if (season === 1) p = observation - oldSeason;
    else p = Math.abs(oldSeason) < TOL ? HUGE : observation / oldSeason;
    const newLevel = q + alpha * (p - q);
    if (hasTrend) {
      let r: number;
      if (trend === 1) r = newLevel - level;
      else r = Math.abs(level) < TOL ? HUGE : newLevel / level;
      growth = phiB + betaStar * (r - phiB);
    }
    if (season !== 0) {
      let target: number;
      if (season === 1) target = observation - q;
      else target = Math.abs(q) < TOL ? HUGE : observation / q;
      seasonalBuffer[k] = oldSeason + gamma * (target - oldSeason);
    }
    level = newLevel;
    if (++k === period) k = 0;
  }
  if (trace) {
    const state = [level];
    if (hasTrend) state.push(growth);
    // k is now the slot of the next observation: R's s[m-1]; s[0] is the slot just updated.
    if (season !== 0)
      for (let j = 0; j < period; j++) state.push(seasonalBuffer[(k - 1 - j + 2 * period) % period]);
    trace.finalState = state;
  }
  let lik = n * Math.log(sse);
  if (multiplicativeError) lik += 2 * (sumLogFitted + Math.log(fittedProduct));
  return { lik, mse: rawSse / n };
}

/** Point forecasts h steps ahead from a state (R forecast's `forecast` in etscalc.c). */
export function etsPointForecast(
  state: readonly number[],
  components: EtsComponents,
  m: number,
  phi: number,
  horizon: number,
): number[] {
  const hasTrend = components.trend !== 'N';
  const level = state[0];
  const growth = hasTrend ? state[1] : 0;
  const seasonal = state.slice(hasTrend ? 2 : 1);
  const period = components.season === 'N' ? 1 : m;
  const result: number[] = [];
  let phiStar = phi;
  for (let i = 0; i < horizon; i++) {
    let f: number;
    if (components.trend === 'N') f = level;
    else if (components.trend === 'A') f = level + phiStar * growth;
    else f = growth < 0 ? NaN : level * Math.pow(growth, phiStar);
    let j = period - 1 - i;
    while (j < 0) j += period;
    if (components.season === 'A') f += seasonal[j];
    else if (components.season === 'M') f *= seasonal[j];
    result.push(f);
    phiStar += Math.abs(phi - 1) < TOL ? 1 : Math.pow(phi, i + 1);
  }
  return result;
}

/** One step of the state update for observation y (used by the simulation of sample paths). */
export function etsStateUpdate(
  state: number[],
  components: EtsComponents,
  m: number,
  params: EtsParameters,
  observation: number,
): void {
  const hasTrend = components.trend !== 'N';
  const { alpha, beta, gamma, phi } = params;
  const level = state[0];
  const growth = hasTrend ? state[1] : 0;
  const offset = hasTrend ? 2 : 1;
  const period = components.season === 'N' ? 1 : m;
  const oldSeason = components.season === 'N' ? 0 : state[offset + period - 1];
  let q: number;
  let phiB: number;
  if (components.trend === 'N') {
    q = level;
    phiB = 0;
  } else if (components.trend === 'A') {
    phiB = phi * growth;
    q = level + phiB;
  } else {
    phiB = Math.abs(phi - 1) < TOL ? growth : Math.pow(growth, phi);
    q = level * phiB;
  }
  let p: number;
  if (components.season === 'N') p = observation;
  else if (components.season === 'A') p = observation - oldSeason;
  else p = Math.abs(oldSeason) < TOL ? HUGE : observation / oldSeason;
  const newLevel = q + alpha * (p - q);
  if (hasTrend) {
    const r = components.trend === 'A' ? newLevel - level : Math.abs(level) < TOL ? HUGE : newLevel / level;
    state[1] = phiB + (beta / alpha) * (r - phiB);
  }
  if (components.season !== 'N') {
    const target = components.season === 'A' ? observation - q : Math.abs(q) < TOL ? HUGE : observation / q;
    for (let j = period - 1; j > 0; j--) state[offset + j] = state[offset + j - 1];
    state[offset] = oldSeason + gamma * (target - oldSeason);
  }
  state[0] = newLevel;
}
