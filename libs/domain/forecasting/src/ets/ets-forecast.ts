import { normalQuantile, quantile } from '../numeric';
import { SeededRandom } from '../random';
import { EtsFit } from './ets-fit';
import { etsPointForecast, etsStateUpdate, runEtsRecursions } from './ets-recursions';
import { PredictionIntervals } from '../types';

/**
 * Forecast means and prediction intervals of a fitted ETS model, as R forecast's `forecast.ets`:
 * analytic for classes 1-3 of Hyndman et al. (2008, ch. 6; `class1`, `class2`, `class3` in
 * R/etsforecast.R: additive error, multiplicative error with additive components, multiplicative
 * error and season with a non-multiplicative trend), by simulating seeded sample paths otherwise
 * (multiplicative trend). For class 3 the mean is the conditional expectation, which differs
 * slightly from the point recursion after one season, exactly as in R.
 */
export interface EtsForecastOptions {
  levels?: number[];
  seed?: number;
  paths?: number;
}

export interface EtsForecast {
  mean: number[];
  variance?: number[];
  intervals: PredictionIntervals;
  intervalMethod: 'analytic' | 'simulation';
}

type Matrix = number[][];

function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}
function multiply(a: Matrix, b: Matrix): Matrix {
  const result = zeros(a.length, b[0].length);
  for (let i = 0; i < a.length; i++)
    for (let k = 0; k < b.length; k++) {
      const aik = a[i][k];
      if (aik === 0) continue;
      for (let j = 0; j < b[0].length; j++) result[i][j] += aik * b[k][j];
    }
  return result;
}
function transpose(a: Matrix): Matrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}
function kronecker(a: Matrix, b: Matrix): Matrix {
  const result = zeros(a.length * b.length, a[0].length * b[0].length);
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a[0].length; j++)
      for (let k = 0; k < b.length; k++)
        for (let l = 0; l < b[0].length; l++)
          result[i * b.length + k][j * b[0].length + l] = a[i][j] * b[k][l];
  return result;
}
function add(...terms: Matrix[]): Matrix {
  return terms[0].map((row, i) => row.map((_, j) => terms.reduce((s, t) => s + t[i][j], 0)));
}
function scale(a: Matrix, factor: number): Matrix {
  return a.map((row) => row.map((v) => v * factor));
}

/** Class 1 (R's `class1`): means and variances of the linear homoscedastic models. */
function linearMoments(fit: EtsFit, horizon: number): { mean: number[]; variance: number[]; c: number[] } {
  const state = fit.finalState;
  const p = state.length;
  const m = fit.period;
  const { alpha, beta, gamma, phi } = fit.params;
  const hasTrend = fit.components.trend === 'A';
  const hasSeason = fit.components.season === 'A';
  const h = new Array<number>(p).fill(0);
  h[0] = 1;
  if (hasSeason) h[p - 1] = 1;
  if (hasTrend) h[1] = phi;
  const transition = (v: number[]): number[] => {
    const next = new Array<number>(p).fill(0);
    next[0] = v[0] + (hasTrend ? phi * v[1] : 0);
    if (hasTrend) next[1] = phi * v[1];
    if (hasSeason) {
      next[p - m] = v[p - 1];
      for (let i = 0; i < m - 1; i++) next[p - m + 1 + i] = v[p - m + i];
    }
    return next;
  };
  const dot = (v: number[]): number => v.reduce((s, x, i) => s + x * h[i], 0);
  let g = new Array<number>(p).fill(0);
  g[0] = alpha;
  if (hasTrend) g[1] = beta;
  // Sic: R's class1 puts gamma in row 3 whatever the trend, so without a trend it lands on the
  // second seasonal state rather than the first. Kept, so that intervals are R's.
  if (hasSeason) g[2] = gamma;
  let x = [...state];
  const mean: number[] = [];
  const c: number[] = [];
  const variance: number[] = [];
  let cumulative = 0;
  for (let i = 0; i < horizon; i++) {
    mean.push(dot(x));
    variance.push(fit.sigma2 * (1 + cumulative));
    const cj = dot(g);
    c.push(cj);
    cumulative += cj * cj;
    x = transition(x);
    g = transition(g);
  }
  return { mean, variance, c };
}

/** Class 2 (R's `class2`): multiplicative error, additive trend and season. */
function class2Moments(fit: EtsFit, horizon: number): { mean: number[]; variance: number[] } {
  const { mean, c } = linearMoments(fit, horizon);
  const sigma2 = fit.sigma2;
  const theta: number[] = [mean[0] ** 2];
  for (let j = 1; j < horizon; j++) {
    let s = 0;
    for (let i = 0; i < j; i++) s += c[i] ** 2 * theta[j - 1 - i];
    theta.push(mean[j] ** 2 + sigma2 * s);
  }
  return { mean, variance: theta.map((t, j) => (1 + sigma2) * t - mean[j] ** 2) };
}

/** Class 3 (R's `class3`): multiplicative error and season, no or additive trend. */
function class3Moments(fit: EtsFit, horizon: number): { mean: number[]; variance: number[] } {
  const state = fit.finalState;
  const p = state.length;
  const m = fit.period;
  const hasTrend = fit.components.trend !== 'N';
  const { alpha, beta, gamma, phi } = fit.params;
  const sigma2 = fit.sigma2;
  const h1: Matrix = [hasTrend ? [1, 1] : [1]];
  const h2: Matrix = [[...new Array<number>(m - 1).fill(0), 1]];
  const f1: Matrix = hasTrend
    ? [
        [1, 1],
        [0, fit.components.damped ? phi : 1],
      ]
    : [[1]];
  const g1: Matrix = hasTrend
    ? [
        [alpha, alpha],
        [beta, beta],
      ]
    : [[alpha]];
  const f2 = zeros(m, m);
  f2[0][m - 1] = 1;
  for (let i = 1; i < m; i++) f2[i][i - 1] = 1;
  const g2 = zeros(m, m);
  g2[0][m - 1] = gamma;
  let mh: Matrix = state.slice(0, p - m).map((a) => state.slice(p - m).map((s) => a * s));
  const size = (p - m) * m;
  let vh = zeros(size, size);
  const h21 = kronecker(h2, h1);
  const f21 = kronecker(f2, f1);
  const g21 = kronecker(g2, g1);
  const k = add(kronecker(g2, f1), kronecker(f2, g1));
  const f21t = transpose(f21);
  const g21t = transpose(g21);
  const kt = transpose(k);
  const f2t = transpose(f2);
  const g2t = transpose(g2);
  const mean: number[] = [];
  const variance: number[] = [];
  for (let i = 0; i < horizon; i++) {
    const mu = multiply(multiply(h1, mh), transpose(h2))[0][0];
    mean.push(mu);
    variance.push((1 + sigma2) * multiply(multiply(h21, vh), transpose(h21))[0][0] + sigma2 * mu * mu);
    // vec(Mh), column-major as R's c(Mh).
    const vec: number[] = [];
    for (let col = 0; col < m; col++) for (let row = 0; row < p - m; row++) vec.push(mh[row][col]);
    const outer = vec.map((a) => vec.map((b) => a * b));
    vh = add(
      multiply(multiply(f21, vh), f21t),
      scale(
        add(
          multiply(multiply(f21, vh), g21t),
          multiply(multiply(g21, vh), f21t),
          multiply(multiply(k, add(vh, outer)), kt),
          scale(multiply(multiply(g21, add(scale(vh, 3), scale(outer, 2))), g21t), sigma2),
        ),
        sigma2,
      ),
    );
    mh = add(multiply(multiply(f1, mh), f2t), scale(multiply(multiply(g1, mh), g2t), sigma2));
  }
  return { mean, variance };
}

function simulatedIntervals(
  fit: EtsFit,
  horizon: number,
  levels: number[],
  seed: number,
  paths: number,
): PredictionIntervals {
  const random = new SeededRandom(seed);
  const sigma = Math.sqrt(fit.sigma2);
  const samples = Array.from({ length: horizon }, () => new Float64Array(paths));
  for (let path = 0; path < paths; path++) {
    const state = [...fit.finalState];
    for (let i = 0; i < horizon; i++) {
      const [f] = etsPointForecast(state, fit.components, fit.period, fit.params.phi, 1);
      const error = sigma * random.normal();
      const y = fit.components.error === 'A' ? f + error : f * (1 + error);
      samples[i][path] = y;
      etsStateUpdate(state, fit.components, fit.period, fit.params, y);
    }
  }
  const intervals: PredictionIntervals = {};
  for (const sample of samples) sample.sort();
  for (const level of levels) {
    intervals[String(level)] = {
      lower: samples.map((s) => quantile(s, 0.5 - level / 200)),
      upper: samples.map((s) => quantile(s, 0.5 + level / 200)),
    };
  }
  return intervals;
}

export function forecastEts(fit: EtsFit, horizon: number, options: EtsForecastOptions = {}): EtsForecast {
  const levels = options.levels ?? [80, 95];
  const { error, trend, season } = fit.components;
  let moments: { mean: number[]; variance: number[] } | undefined;
  if (error === 'A' && trend !== 'M' && season !== 'M') moments = linearMoments(fit, horizon);
  else if (error === 'M' && trend !== 'M' && season !== 'M') moments = class2Moments(fit, horizon);
  else if (error === 'M' && season === 'M' && trend !== 'M') moments = class3Moments(fit, horizon);
  if (moments) {
    const { mean, variance } = moments;
    const intervals: PredictionIntervals = {};
    for (const level of levels) {
      const z = Math.abs(normalQuantile((100 - level) / 200));
      intervals[String(level)] = {
        lower: mean.map((mu, i) => mu - z * Math.sqrt(variance[i])),
        upper: mean.map((mu, i) => mu + z * Math.sqrt(variance[i])),
      };
    }
    return { mean, variance, intervals, intervalMethod: 'analytic' };
  }
  const mean = etsPointForecast(fit.finalState, fit.components, fit.period, fit.params.phi, horizon);
  const intervals = simulatedIntervals(fit, horizon, levels, options.seed ?? 1, options.paths ?? 2000);
  return { mean, intervals, intervalMethod: 'simulation' };
}

/**
 * Point forecasts from a fitted model's parameters and initial state run over another series that
 * starts at the same time (for example, the fitted series cut at an earlier origin): filtering
 * only, no re-estimation.
 */
export function forecastWithFixedParameters(
  fit: EtsFit,
  history: readonly number[],
  horizon: number,
): number[] {
  const trace = {
    residuals: new Float64Array(history.length),
    fitted: new Float64Array(history.length),
    finalState: [] as number[],
  };
  runEtsRecursions(
    history,
    fit.components,
    fit.period,
    fit.params,
    fit.initialState,
    new Float64Array(fit.period),
    trace,
  );
  return etsPointForecast(trace.finalState, fit.components, fit.period, fit.params.phi, horizon);
}
