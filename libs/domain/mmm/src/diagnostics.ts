import { normalQuantile } from './special';

/**
 * Convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-
 * normalization, folding, and localization: an improved R-hat": rank-normalised split R-hat
 * (max of bulk and folded), bulk ESS and tail ESS (min over the 5% and 95% quantile indicators).
 * Draws are given per chain (each an array of the same length).
 */

/** Autocovariance at every lag (biased, divided by n), by FFT. */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let size = 1;
  while (size < 2 * n) size *= 2;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i] - mean;
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = re[i] / size / n;
  return out;
}

/** In-place iterative radix-2 FFT (length must be a power of two). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < len / 2; k++) {
        const aRe = re[i + k];
        const aIm = im[i + k];
        const bRe = re[i + k + len / 2] * curRe - im[i + k + len / 2] * curIm;
        const bIm = re[i + k + len / 2] * curIm + im[i + k + len / 2] * curRe;
        re[i + k] = aRe + bRe;
        im[i + k] = aIm + bIm;
        re[i + k + len / 2] = aRe - bRe;
        im[i + k + len / 2] = aIm - bIm;
        const nextRe = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = nextRe;
      }
    }
  }
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return s / (x.length - 1);
}

/** Splits each chain into its first and second halves (the middle draw of an odd chain is dropped). */
export function splitChains(chains: ArrayLike<number>[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const chain of chains) {
    const half = Math.floor(chain.length / 2);
    out.push(Float64Array.from({ length: half }, (_, i) => chain[i]));
    out.push(Float64Array.from({ length: half }, (_, i) => chain[chain.length - half + i]));
  }
  return out;
}

/** Replaces pooled draws by normal scores of their average ranks: z = Phi^-1((r - 3/8) / (S + 1/4)). */
export function rankNormalize(chains: ArrayLike<number>[]): Float64Array[] {
  const pooled: { value: number; chain: number; index: number }[] = [];
  chains.forEach((c, ci) => {
    for (let i = 0; i < c.length; i++) pooled.push({ value: c[i], chain: ci, index: i });
  });
  pooled.sort((a, b) => a.value - b.value);
  const out = chains.map((c) => new Float64Array(c.length));
  const size = pooled.length;
  for (let i = 0; i < size;) {
    let j = i;
    while (j + 1 < size && pooled[j + 1].value === pooled[i].value) j++;
    const rank = (i + j) / 2 + 1;
    const z = normalQuantile((rank - 0.375) / (size + 0.25));
    for (let k = i; k <= j; k++) out[pooled[k].chain][pooled[k].index] = z;
    i = j + 1;
  }
  return out;
}

/** Classic R-hat of (already split) chains. */
function rhatOf(chains: ArrayLike<number>[]): number {
  const n = chains[0].length;
  const chainMeans = chains.map(mean);
  const between = n * variance(chainMeans);
  const within = mean(chains.map(variance));
  if (within === 0) return between === 0 ? 1 : Infinity;
  return Math.sqrt((between / within + n - 1) / n);
}

/** ESS of (already split) chains with Geyer's initial monotone sequence, as in ArviZ/posterior. */
export function essOf(chains: ArrayLike<number>[]): number {
  const m = chains.length;
  const n = chains[0].length;
  if (n < 4) return NaN;
  const acov = chains.map(autocovariance);
  const chainMeans = chains.map(mean);
  const meanVar = mean(acov.map((a) => (a[0] * n) / (n - 1)));
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(chainMeans);
  if (!(varPlus > 0)) return NaN;
  const meanAcov = (lag: number) => {
    let s = 0;
    for (const a of acov) s += a[lag];
    return s / m;
  };
  const rho = new Float64Array(n);
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - meanAcov(1)) / varPlus;
  rho[1] = rhoOdd;
  let t = 1;
  while (t < n - 3 && rhoEven + rhoOdd > 0) {
    rhoEven = 1 - (meanVar - meanAcov(t + 1)) / varPlus;
    rhoOdd = 1 - (meanVar - meanAcov(t + 2)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t + 1] = rhoEven;
      rho[t + 2] = rhoOdd;
    }
    t += 2;
  }
  const maxT = t - 2;
  if (rhoEven > 0) rho[maxT + 1] = rhoEven;
  for (t = 1; t <= maxT - 2; t += 2) {
    if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
      rho[t + 1] = (rho[t - 1] + rho[t]) / 2;
      rho[t + 2] = rho[t + 1];
    }
  }
  let sum = 0;
  for (let i = 0; i <= maxT; i++) sum += rho[i];
  let tau = -1 + 2 * sum + (maxT + 1 < n ? rho[maxT + 1] : 0);
  const total = m * n;
  tau = Math.max(tau, 1 / Math.log10(total));
  return total / tau;
}

export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function isConstant(chains: ArrayLike<number>[]): boolean {
  const first = chains[0][0];
  return chains.every((c) => Array.prototype.every.call(c, (v: number) => v === first));
}

export interface ParameterDiagnostics {
  rhat: number;
  essBulk: number;
  essTail: number;
}

export function rhat(chains: ArrayLike<number>[]): number {
  if (isConstant(chains)) return NaN;
  const bulk = rhatOf(rankNormalize(splitChains(chains)));
  const pooled = Float64Array.from(chains.flatMap((c) => Array.from(c))).sort();
  const median = quantile(pooled, 0.5);
  const folded = chains.map((c) => Float64Array.from(c, (v) => Math.abs(v - median)));
  const tail = rhatOf(rankNormalize(splitChains(folded)));
  return Math.max(bulk, tail);
}

export function essBulk(chains: ArrayLike<number>[]): number {
  if (isConstant(chains)) return NaN;
  return essOf(rankNormalize(splitChains(chains)));
}

export function essTail(chains: ArrayLike<number>[]): number {
  if (isConstant(chains)) return NaN;
  const pooled = Float64Array.from(chains.flatMap((c) => Array.from(c))).sort();
  const q05 = quantile(pooled, 0.05);
  const q95 = quantile(pooled, 0.95);
  const below = (q: number) => splitChains(chains.map((c) => Float64Array.from(c, (v) => (v <= q ? 1 : 0))));
  return Math.min(essOf(below(q05)), essOf(below(q95)));
}

export function diagnose(chains: ArrayLike<number>[]): ParameterDiagnostics {
  return { rhat: rhat(chains), essBulk: essBulk(chains), essTail: essTail(chains) };
}

/** Energy Bayesian fraction of missing information (Betancourt 2016) of one chain. */
export function ebfmi(energy: ArrayLike<number>): number {
  let num = 0;
  for (let i = 1; i < energy.length; i++) num += (energy[i] - energy[i - 1]) ** 2;
  const m = mean(energy);
  let den = 0;
  for (let i = 0; i < energy.length; i++) den += (energy[i] - m) ** 2;
  return num / den;
}
