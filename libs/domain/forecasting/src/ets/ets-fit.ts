import { classicalSeasonal, leastSquares, linearFit, mean } from '../numeric';
import { nelderMead } from '../nelder-mead';
import { EtsComponents, EtsParameters, runEtsRecursions, SeasonType, TrendType } from './ets-recursions';

/**
 * Fitting one ETS model as R forecast's `etsmodel` does (forecast 8.x, R/ets.R): initial smoothing
 * parameters from `initparam`, initial states from `initstate` (classical decomposition, or a
 * Fourier regression when there are fewer than three seasons), then all of them estimated together
 * by the bounded Nelder-Mead search of `etsTargetFunction` minimising the likelihood criterion
 * (or the one-step MSE), within the usual bounds and/or the admissible region (`bounds = "both"`).
 */
export type EtsBounds = 'usual' | 'admissible' | 'both';
export type EtsCriterion = 'lik' | 'mse';

export interface EtsFitOptions {
  /** Lower bounds of alpha, beta, gamma, phi (R's default: 1e-4, 1e-4, 1e-4, 0.8). */
  lower?: [number, number, number, number];
  /** Upper bounds of alpha, beta, gamma, phi (R's default: 0.9999, 0.9999, 0.9999, 0.98). */
  upper?: [number, number, number, number];
  bounds?: EtsBounds;
  criterion?: EtsCriterion;
  maxIterations?: number;
}

export interface EtsFit {
  components: EtsComponents;
  /** Seasonal period used by the model (1 when non-seasonal). */
  period: number;
  params: EtsParameters;
  /** Estimated initial state, R's order, including the last seasonal state implied by normalisation. */
  initialState: number[];
  /** State after the last observation. */
  finalState: number[];
  residuals: number[];
  fitted: number[];
  /** -2 log-likelihood up to a constant, as R's `e$lik`. */
  lik: number;
  logLik: number;
  aic: number;
  aicc: number;
  bic: number;
  mse: number;
  /** Residual variance: sum of squared model errors / (n - number of estimated parameters). */
  sigma2: number;
  /** Number of estimated quantities (R's np: parameters, free initial states and the variance). */
  parameterCount: number;
  /** Objective evaluations the optimiser used. */
  evaluations: number;
}

const DEFAULT_LOWER: [number, number, number, number] = [0.0001, 0.0001, 0.0001, 0.8];
const DEFAULT_UPPER: [number, number, number, number] = [0.9999, 0.9999, 0.9999, 0.98];

export function etsModelName(components: EtsComponents): string {
  return `ETS(${components.error},${components.trend}${components.damped ? 'd' : ''},${components.season})`;
}

/** R's `initstate`: level, trend and the first m - 1 seasonal states (the last one is implied). */
export function initialStates(
  y: readonly number[],
  trend: TrendType,
  season: SeasonType,
  m: number,
): number[] {
  const n = y.length;
  let seasonalAdjusted: number[] = [...y];
  let initialSeason: number[] = [];
  let period = 1;
  if (season !== 'N') {
    period = m;
    if (n < 4) throw new RangeError('not enough data for a seasonal ETS model');
    let seasonal: number[];
    if (n < 3 * m) {
      // Too short to decompose: regression on a trend and one Fourier pair, as R does.
      const ones = new Array<number>(n).fill(1);
      const time = Array.from({ length: n }, (_, i) => i + 1);
      const columns = [ones, time];
      if (m !== 2) columns.push(time.map((t) => Math.sin((2 * Math.PI * t) / m)));
      columns.push(time.map((t) => Math.cos((2 * Math.PI * t) / m)));
      const [intercept, slope] = leastSquares(columns, y);
      seasonal = y.map((v, i) =>
        season === 'A' ? v - intercept - slope * (i + 1) : v / (intercept + slope * (i + 1)),
      );
    } else {
      seasonal = classicalSeasonal(y, m, season === 'A' ? 'additive' : 'multiplicative');
    }
    initialSeason = seasonal.slice(1, m).reverse();
    if (season === 'A') {
      seasonalAdjusted = y.map((v, i) => v - seasonal[i]);
    } else {
      initialSeason = initialSeason.map((s) => Math.max(s, 1e-2));
      const total = initialSeason.reduce((a, b) => a + b, 0);
      if (total > m) initialSeason = initialSeason.map((s) => s / (total + 1e-2 * initialSeason.length));
      seasonalAdjusted = y.map((v, i) => v / Math.max(seasonal[i], 1e-2));
    }
  }
  const maxn = Math.min(Math.max(10, 2 * period), n);
  const head = seasonalAdjusted.slice(0, maxn);
  if (trend === 'N') return [mean(head), ...initialSeason];
  const { intercept, slope } = linearFit(
    head.map((_, i) => i + 1),
    head,
  );
  let level: number;
  let growth: number;
  if (trend === 'A') {
    level = intercept;
    growth = slope;
    if (Math.abs(level + growth) < 1e-8) {
      level *= 1 + 1e-3;
      growth *= 1 - 1e-3;
    }
  } else {
    level = intercept + slope;
    if (Math.abs(level) < 1e-8) level = 1e-7;
    growth = (intercept + 2 * slope) / level;
    level = level / growth;
    if (Math.abs(growth) > 1e10) growth = Math.sign(growth) * 1e10;
    if (level < 1e-8 || growth < 1e-8) {
      level = Math.max(seasonalAdjusted[0], 1e-3);
      growth = Math.max(seasonalAdjusted[1] / seasonalAdjusted[0], 1e-3);
    }
  }
  return [level, growth, ...initialSeason];
}

/** R's `initparam`: starting alpha, beta, gamma, phi (only those that are estimated). */
function initialParameters(
  components: EtsComponents,
  period: number,
  lowerBounds: readonly number[],
  upperBounds: readonly number[],
  bounds: EtsBounds,
): number[] {
  const lower = [...lowerBounds];
  const upper = [...upperBounds];
  if (bounds === 'admissible') {
    for (let i = 0; i < 3; i++) {
      lower[i] = 0;
      upper[i] = 1e-3; // sic: R's initparam
    }
  }
  let alpha = lower[0] + (0.2 * (upper[0] - lower[0])) / period;
  if (alpha > 1 || alpha < 0) alpha = lower[0] + 2e-3;
  const result = [alpha];
  if (components.trend !== 'N') {
    upper[1] = Math.min(upper[1], alpha);
    let beta = lower[1] + 0.1 * (upper[1] - lower[1]);
    if (beta < 0 || beta > alpha) beta = alpha - 1e-3;
    result.push(beta);
  }
  if (components.season !== 'N') {
    upper[2] = Math.min(upper[2], 1 - alpha);
    let gamma = lower[2] + 0.05 * (upper[2] - lower[2]);
    if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 1e-3;
    result.push(gamma);
  }
  if (components.damped) {
    let phi = lower[3] + 0.99 * (upper[3] - lower[3]);
    if (phi < 0 || phi > 1) phi = upper[3] - 1e-3;
    result.push(phi);
  }
  return result;
}

/**
 * True when every root of c[0] + c[1] z + ... + c[n] z^n lies in |z| < radius, by the Schur-Cohn
 * recursion on the polynomial rescaled to the unit disc. Fast, but not reliable for roots within
 * about 1e-10 of the circle, which the seasonal models always have (z = 1 without trend).
 */
function rootsStrictlyWithin(coefficients: readonly number[], radius: number): boolean {
  let c = coefficients.map((v, i) => v * Math.pow(radius, i));
  while (c.length > 1) {
    const degree = c.length - 1;
    const lead = c[degree];
    const constant = c[0];
    if (Math.abs(constant) >= Math.abs(lead)) return false;
    const next: number[] = [];
    for (let i = 0; i < degree; i++) next.push((lead * c[i + 1] - constant * c[degree - 1 - i]) / lead);
    c = next;
  }
  return true;
}

/** Largest root modulus of c[0] + c[1] z + ... + c[n] z^n (c[n] = 1) by Durand-Kerner iteration. */
function largestRootModulus(coefficients: readonly number[]): number {
  const degree = coefficients.length - 1;
  const re = new Float64Array(degree);
  const im = new Float64Array(degree);
  for (let i = 0; i < degree; i++) {
    // Distinct non-real starting points (0.4 + 0.9i)^i, the classic choice.
    const angle = i * Math.atan2(0.9, 0.4);
    const radius = Math.pow(Math.hypot(0.4, 0.9), i);
    re[i] = radius * Math.cos(angle);
    im[i] = radius * Math.sin(angle);
  }
  for (let iteration = 0; iteration < 500; iteration++) {
    let change = 0;
    for (let i = 0; i < degree; i++) {
      // p(z_i) by Horner.
      let pr = coefficients[degree];
      let pi = 0;
      for (let k = degree - 1; k >= 0; k--) {
        const r = pr * re[i] - pi * im[i] + coefficients[k];
        pi = pr * im[i] + pi * re[i];
        pr = r;
      }
      let dr = 1;
      let di = 0;
      for (let j = 0; j < degree; j++) {
        if (j === i) continue;
        const ar = re[i] - re[j];
        const ai = im[i] - im[j];
        const r = dr * ar - di * ai;
        di = dr * ai + di * ar;
        dr = r;
      }
      const denominator = dr * dr + di * di;
      const qr = (pr * dr + pi * di) / denominator;
      const qi = (pi * dr - pr * di) / denominator;
      re[i] -= qr;
      im[i] -= qi;
      change = Math.max(change, Math.hypot(qr, qi));
    }
    if (change < 1e-15) break;
  }
  let largest = 0;
  for (let i = 0; i < degree; i++) largest = Math.max(largest, Math.hypot(re[i], im[i]));
  return largest;
}

/**
 * R's test: the largest root modulus (R uses `polyroot`) must not exceed 1 + 1e-10. Without a
 * trend the polynomial always has the root z = 1; it is divided out first, exactly, so that the
 * fast test decides nearly every case.
 */
function rootsWithin(coefficients: readonly number[], radius: number, unitRoot: boolean): boolean {
  if (unitRoot) {
    const degree = coefficients.length - 1;
    const quotient = new Array<number>(degree);
    quotient[degree - 1] = coefficients[degree];
    for (let k = degree - 1; k >= 1; k--) quotient[k - 1] = coefficients[k] + quotient[k];
    if (rootsStrictlyWithin(quotient, radius)) return true;
  }
  if (rootsStrictlyWithin(coefficients, radius)) return true;
  if (!rootsStrictlyWithin(coefficients, radius + 1e-6)) return false;
  return largestRootModulus(coefficients) <= radius;
}

/** R's `admissible` (forecast's etsTargetFunction.cpp), for models with the estimated gamma. */
function isAdmissible(params: EtsParameters, hasSeason: boolean, hasTrend: boolean, m: number): boolean {
  const { alpha, gamma, phi } = params;
  let beta = params.beta;
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (!hasSeason) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    if (hasTrend && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))) return false;
    return true;
  }
  if (m <= 1) return true;
  if (!hasTrend) beta = 0;
  if (gamma < Math.max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - (gamma * (1 - m + phi + phi * m)) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
  const polynomial = [phi * (1 - alpha - gamma), alpha + beta - alpha * phi + gamma - 1];
  for (let i = 0; i < m - 2; i++) polynomial.push(alpha + beta - alpha * phi);
  polynomial.push(alpha + beta - phi, 1);
  return rootsWithin(polynomial, 1 + 1e-10, !hasTrend);
}

/**
 * Fits one ETS model. Returns undefined when R would give it an infinite information criterion:
 * more estimated quantities than observations allow, or no finite likelihood anywhere the search goes.
 */
export function fitEtsModel(
  y: readonly number[],
  components: EtsComponents,
  m: number,
  options: EtsFitOptions = {},
): EtsFit | undefined {
  const lower = options.lower ?? DEFAULT_LOWER;
  const upper = options.upper ?? DEFAULT_UPPER;
  const bounds = options.bounds ?? 'both';
  const criterion = options.criterion ?? 'lik';
  const hasTrend = components.trend !== 'N';
  const hasSeason = components.season !== 'N';
  const period = hasSeason ? m : 1;
  const n = y.length;
  const startParams = initialParameters(components, period, lower, upper, bounds);
  const startStates = initialStates(y, components.trend, components.season, period);
  const start = [...startParams, ...startStates];
  if (start.length >= n - 1) return undefined;
  const parameterCount = startParams.length;
  const stateCount = startStates.length;
  const seasonOffset = hasTrend ? 2 : 1;
  const fullState = new Float64Array(stateCount + (hasSeason ? 1 : 0));
  const seasonalBuffer = new Float64Array(period);

  const unpack = (par: readonly number[]): EtsParameters => {
    let j = 0;
    const alpha = par[j++];
    const beta = hasTrend ? par[j++] : 0;
    const gamma = hasSeason ? par[j++] : 0;
    const phi = components.damped ? par[j++] : 1;
    return { alpha, beta, gamma, phi };
  };
  const withinBounds = (p: EtsParameters): boolean => {
    if (bounds !== 'admissible') {
      if (p.alpha < lower[0] || p.alpha > upper[0]) return false;
      if (hasTrend && (p.beta < lower[1] || p.beta > p.alpha || p.beta > upper[1])) return false;
      if (components.damped && (p.phi < lower[3] || p.phi > upper[3])) return false;
      if (hasSeason && (p.gamma < lower[2] || p.gamma > 1 - p.alpha || p.gamma > upper[2])) return false;
    }
    if (bounds !== 'usual' && !isAdmissible(p, hasSeason, hasTrend, period)) return false;
    return true;
  };
  /** Fills fullState from the estimated states; false when a multiplicative seasonal state is negative. */
  const completeState = (par: readonly number[]): boolean => {
    let total = 0;
    for (let i = 0; i < stateCount; i++) {
      fullState[i] = par[parameterCount + i];
      if (i >= seasonOffset) total += fullState[i];
    }
    if (!hasSeason) return true;
    fullState[stateCount] = (components.season === 'M' ? period : 0) - total;
    if (components.season === 'M') {
      for (let i = seasonOffset; i < fullState.length; i++) if (fullState[i] < 0) return false;
    }
    return true;
  };
  const observations = Float64Array.from(y);
  const objective = (par: number[]): number => {
    const p = unpack(par);
    if (!withinBounds(p)) return Infinity;
    if (!completeState(par)) return Infinity;
    const result = runEtsRecursions(observations, components, period, p, fullState, seasonalBuffer);
    let lik = result.lik;
    if (lik < -1e10) lik = -1e10;
    if (Number.isNaN(lik)) return Infinity;
    return criterion === 'lik' ? lik : result.mse;
  };

  let best: number[];
  let evaluations: number;
  try {
    const optimum = nelderMead(objective, start, { maxIterations: options.maxIterations ?? 2000 });
    best = optimum.parameters;
    evaluations = optimum.evaluations;
  } catch {
    return undefined;
  }
  const params = unpack(best);
  completeState(best);
  const initialState = Array.from(fullState);
  const trace = { residuals: new Float64Array(n), fitted: new Float64Array(n), finalState: [] as number[] };
  const result = runEtsRecursions(y, components, period, params, fullState, seasonalBuffer, trace);
  if (!Number.isFinite(result.lik)) return undefined;
  const np = start.length + 1;
  const aic = result.lik + 2 * np;
  const residuals = Array.from(trace.residuals);
  return {
    components,
    period,
    params,
    initialState,
    finalState: trace.finalState,
    residuals,
    fitted: Array.from(trace.fitted),
    lik: result.lik,
    logLik: -0.5 * result.lik,
    aic,
    aicc: aic + (2 * np * (np + 1)) / (n - np - 1),
    bic: result.lik + Math.log(n) * np,
    mse: result.mse,
    sigma2: residuals.reduce((s, e) => s + e * e, 0) / (n - start.length),
    parameterCount: np,
    evaluations,
  };
}
