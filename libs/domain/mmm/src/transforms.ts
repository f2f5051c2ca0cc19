// Module-level aliases: global lookups are slow inside vm contexts (jest), and these run in the hot loops.
const { exp, log, tanh, pow } = Math;
/** Media transforms: adstock (carry-over) weights and saturation curves, with exact derivatives. */

export type AdstockKind = 'geometric' | 'weibull';
export type SaturationKind = 'logistic' | 'hill' | 'michaelis-menten';

export const ADSTOCK_PARAMETERS: Record<AdstockKind, readonly string[]> = {
  geometric: ['alpha'],
  weibull: ['shape', 'scale'],
};

export const SATURATION_PARAMETERS: Record<SaturationKind, readonly string[]> = {
  logistic: ['lambda'],
  hill: ['half_saturation', 'slope'],
  'michaelis-menten': ['half_saturation'],
};

/**
 * Adstock weights w[0..maxLag-1] and their derivatives dw[j][l] with respect to parameter j.
 * Geometric: w_l = alpha^l, divided by sum(alpha^l) when `normalize`.
 * Weibull (delayed): w_l proportional to the Weibull(shape k, scale lambda) density at l + 1,
 * always normalised to sum 1; k > 1 gives a delayed peak, k <= 1 a decaying effect.
 */
export function adstockWeights(
  kind: AdstockKind,
  params: ArrayLike<number>,
  maxLag: number,
  normalize: boolean,
  w: Float64Array,
  dw: Float64Array[],
): void {
  if (kind === 'geometric') {
    const alpha = params[0];
    const dRaw = dw[0];
    let sum = 0;
    let dSum = 0;
    let power = 1;
    for (let l = 0; l < maxLag; l++) {
      w[l] = power;
      dRaw[l] = l === 0 ? 0 : l * (power / alpha);
      sum += power;
      dSum += dRaw[l];
      power *= alpha;
    }
    if (normalize) {
      for (let l = 0; l < maxLag; l++) {
        dRaw[l] = dRaw[l] / sum - (w[l] * dSum) / (sum * sum);
        w[l] /= sum;
      }
    }
    return;
  }
  const k = params[0];
  const lambda = params[1];
  const dk = dw[0];
  const dLambda = dw[1];
  let maxLog = -Infinity;
  for (let l = 0; l < maxLag; l++) {
    const x = l + 1;
    const logZ = log(x / lambda);
    const zk = exp(k * logZ);
    const logW = (k - 1) * log(x) - zk;
    w[l] = logW;
    dk[l] = log(x) - zk * logZ;
    dLambda[l] = (k * zk) / lambda;
    if (logW > maxLog) maxLog = logW;
  }
  let sum = 0;
  for (let l = 0; l < maxLag; l++) {
    w[l] = exp(w[l] - maxLog);
    sum += w[l];
  }
  let meanDk = 0;
  let meanDLambda = 0;
  for (let l = 0; l < maxLag; l++) {
    w[l] /= sum;
    meanDk += w[l] * dk[l];
    meanDLambda += w[l] * dLambda[l];
  }
  for (let l = 0; l < maxLag; l++) {
    dk[l] = w[l] * (dk[l] - meanDk);
    dLambda[l] = w[l] * (dLambda[l] - meanDLambda);
  }
}

/**
 * Saturation s(a) of adstocked, scaled spend a >= 0. Writes ds/da into out[0] and ds/dparam_j
 * into out[1 + j]; returns s.
 * logistic: s = (1 - e^(-lambda a)) / (1 + e^(-lambda a)) (PyMC-Marketing's logistic_saturation)
 * hill: s = a^S / (a^S + K^S); michaelis-menten: s = a / (K + a).
 */
export function saturate(kind: SaturationKind, a: number, p0: number, p1: number, out: Float64Array): number {
  if (kind === 'logistic') {
    const s = tanh(0.5 * p0 * a);
    const common = 0.5 * (1 - s * s);
    out[0] = p0 * common;
    out[1] = a * common;
    return s;
  }
  if (kind === 'hill') {
    if (a <= 0) {
      out[0] = 0;
      out[1] = 0;
      out[2] = 0;
      return 0;
    }
    const logRatio = log(a) - log(p0);
    const lr = p1 * logRatio;
    const s = lr >= 0 ? 1 / (1 + exp(-lr)) : exp(lr) / (1 + exp(lr));
    const ds = s * (1 - s);
    out[0] = (ds * p1) / a;
    out[1] = (-ds * p1) / p0;
    out[2] = ds * logRatio;
    return s;
  }
  const denominator = p0 + a;
  out[0] = p0 / (denominator * denominator);
  out[1] = -a / (denominator * denominator);
  return a / denominator;
}

/** Saturation value only (no derivatives). */
export function saturationValue(kind: SaturationKind, a: number, p0: number, p1: number): number {
  if (kind === 'logistic') return tanh(0.5 * p0 * a);
  if (kind === 'hill') {
    if (a <= 0) return 0;
    return 1 / (1 + pow(p0 / a, p1));
  }
  return a / (p0 + a);
}
