import type { ChannelPriors, MmmConfig, MmmData } from './config';
import {
  constrain,
  constrainDerivative,
  logPriorUnconstrained,
  type Prior,
  type Support,
  supportOf,
  validatePrior,
} from './priors';
import { dLogNormalCdf, logNormalCdf } from './special';
import { ADSTOCK_PARAMETERS, adstockWeights, SATURATION_PARAMETERS, saturate } from './transforms';
// Module-level aliases: global lookups are slow inside vm contexts (jest), and these run in the hot loops.
const { exp, log, pow } = Math;

/** A differentiable log density on R^dimension, as the sampler sees it. */
export interface LogDensity {
  readonly dimension: number;
  /** Writes the gradient into `grad` and returns the log density (up to a constant). */
  logDensityGradient(q: Float64Array, grad: Float64Array): number;
}

const DAY_MS = 86_400_000;

export function parseIsoDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!match) throw new Error(`date '${date}' is not ISO yyyy-mm-dd`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== match[0])
    throw new Error(`date '${date}' is not a valid date`);
  return ms;
}

function dayOfYear(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  return (ms - Date.UTC(year, 0, 1)) / DAY_MS + 1;
}

/** Index of the first week whose date is >= `date` (or the last week whose date is <= it). */
export function weekIndex(dates: string[], date: string, side: 'start' | 'end'): number {
  const ms = parseIsoDate(date);
  const times = dates.map(parseIsoDate);
  if (side === 'start') {
    const i = times.findIndex((t) => t >= ms);
    return i === -1 ? times.length : i;
  }
  let j = -1;
  for (let i = 0; i < times.length; i++) if (times[i] <= ms) j = i;
  return j;
}

interface LiftTestIndexed {
  channel: number;
  from: number;
  to: number;
  lift: number;
  stdError: number;
}

/**
 * The marketing-mix model as a log density over unconstrained parameters, on max-abs scaled
 * data (KPI / max|KPI|, spend / max spend per channel, control / max|control|, all over the
 * fitted weeks). Gradients are hand-derived reverse mode, one pass.
 */
export class MmmModel implements LogDensity {
  readonly dimension: number;
  readonly names: string[] = [];
  readonly supports: Support[] = [];
  readonly priors: Prior[] = [];
  readonly weeks: number;
  readonly fitWeeks: number;
  readonly channelNames: string[];
  readonly controlNames: string[];
  readonly targetScale: number;
  readonly spendScale: Float64Array;
  readonly controlScale: Float64Array;
  /** Total spend per channel over the fitted weeks (original units). */
  readonly spendTotal: Float64Array;
  readonly interceptIndex: number;
  readonly trendIndex: number;
  readonly seasonIndex: number;
  readonly seasonCount: number;
  readonly controlIndex: number;
  readonly channelIndex: number;
  readonly channelStride: number;
  readonly adstockCount: number;
  readonly saturationCount: number;
  readonly sigmaIndex: number;

  readonly y: Float64Array;
  readonly x: Float64Array; // channel-major: x[c * weeks + t]
  readonly trendFeature: Float64Array;
  readonly seasonFeatures: Float64Array; // seasonCount x weeks
  readonly controlFeatures: Float64Array; // controls x weeks
  private readonly liftTests: LiftTestIndexed[];

  // Work buffers: written by forward(), read by backward() and by the result summaries.
  readonly values: Float64Array;
  readonly mu: Float64Array;
  readonly contribution: Float64Array; // channel-major, scaled KPI units
  readonly beta: Float64Array;
  readonly weights: Float64Array; // channel-major, maxLag per channel
  private readonly weightGrad: Float64Array[][]; // [channel][adstock parameter][lag]
  /** Adstocked scaled spend, channel-major (valid after forward()). */
  readonly adstocked: Float64Array;
  private readonly adstockDerivative: Float64Array;
  private readonly saturated: Float64Array;
  private readonly satGradA: Float64Array;
  private readonly satGradP0: Float64Array;
  private readonly satGradP1: Float64Array;
  private readonly saturationTotal: Float64Array;
  private readonly residualGrad: Float64Array;
  private readonly channelAdjoint: Float64Array;
  private readonly valueGrad: Float64Array;
  private readonly priorGrad: Float64Array;
  private readonly scratch = new Float64Array(3);
  private readonly satScratch = new Float64Array(3);
  private readonly liftAdjoint: Float64Array;
  private readonly weightAdjoint: Float64Array;

  constructor(
    data: MmmData,
    readonly config: MmmConfig,
  ) {
    const weeks = data.dates.length;
    this.weeks = weeks;
    this.fitWeeks = weeks - config.holdoutWeeks;
    const fitWeeks = this.fitWeeks;
    const channels = data.channels;
    const controls = data.controls ?? [];
    this.channelNames = channels.map((c) => c.name);
    this.controlNames = controls.map((c) => c.name);

    const maxAbs = (values: number[]) =>
      values.slice(0, fitWeeks).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    this.targetScale = maxAbs(data.target);
    this.y = Float64Array.from(data.target, (v) => v / this.targetScale);
    this.spendScale = Float64Array.from(channels, (c) => maxAbs(c.spend));
    this.spendTotal = Float64Array.from(channels, (c) =>
      c.spend.slice(0, fitWeeks).reduce((s, v) => s + v, 0),
    );
    this.x = new Float64Array(channels.length * weeks);
    channels.forEach((c, ci) =>
      c.spend.forEach((v, t) => (this.x[ci * weeks + t] = v / this.spendScale[ci])),
    );
    this.controlScale = Float64Array.from(controls, (c) => maxAbs(c.values) || 1);
    this.controlFeatures = new Float64Array(controls.length * weeks);
    // Controls are scaled by max |value| and centred on their fitted-weeks mean (the intercept is the average level).
    controls.forEach((c, k) => {
      const mean = c.values.slice(0, fitWeeks).reduce((s, v) => s + v, 0) / fitWeeks / this.controlScale[k];
      c.values.forEach((v, t) => (this.controlFeatures[k * weeks + t] = v / this.controlScale[k] - mean));
    });
    // Centred on the fitted weeks so that intercept (the mid-period level) and slope are not correlated.
    this.trendFeature = Float64Array.from({ length: weeks }, (_, t) => (t - (fitWeeks - 1) / 2) / fitWeeks);
    this.seasonCount = 2 * config.seasonality;
    this.seasonFeatures = new Float64Array(this.seasonCount * weeks);
    data.dates.forEach((date, t) => {
      const doy = dayOfYear(parseIsoDate(date));
      for (let k = 1; k <= config.seasonality; k++) {
        const angle = (2 * Math.PI * k * doy) / 365.25;
        this.seasonFeatures[(2 * k - 2) * weeks + t] = Math.sin(angle);
        this.seasonFeatures[(2 * k - 1) * weeks + t] = Math.cos(angle);
      }
    });

    const add = (name: string, prior: Prior) => {
      validatePrior(name, prior);
      this.names.push(name);
      this.priors.push(prior);
      this.supports.push(supportOf(prior));
      return this.names.length - 1;
    };
    const p = config.priors;
    this.interceptIndex = add('intercept', p.intercept);
    this.trendIndex = config.trend ? add('trend', p.trend) : -1;
    this.seasonIndex = this.names.length;
    for (let k = 1; k <= config.seasonality; k++) {
      add(`season_sin${k}`, p.seasonality);
      add(`season_cos${k}`, p.seasonality);
    }
    this.controlIndex = this.names.length;
    for (const name of this.controlNames) add(`control[${name}]`, p.control);
    this.adstockCount = ADSTOCK_PARAMETERS[config.adstock].length;
    this.saturationCount = SATURATION_PARAMETERS[config.saturation].length;
    this.channelStride = 1 + this.adstockCount + this.saturationCount;
    this.channelIndex = this.names.length;
    for (const name of this.channelNames) {
      const cp: ChannelPriors = { ...p.channel, ...config.channelPriors[name] };
      if (cp.adstock.length !== this.adstockCount || cp.saturation.length !== this.saturationCount) {
        throw new Error(
          `channel '${name}': expected ${this.adstockCount} adstock and ${this.saturationCount} saturation priors`,
        );
      }
      add(
        config.channelEffect === 'roi' ? `roi[${name}]` : `beta[${name}]`,
        config.channelEffect === 'roi' ? cp.roi : cp.coefficient,
      );
      ADSTOCK_PARAMETERS[config.adstock].forEach((param, j) => add(`${param}[${name}]`, cp.adstock[j]));
      SATURATION_PARAMETERS[config.saturation].forEach((param, j) =>
        add(`${param}[${name}]`, cp.saturation[j]),
      );
    }
    this.sigmaIndex = add('sigma', p.sigma);
    if (this.supports[this.sigmaIndex] !== 'positive')
      throw new Error('the prior on sigma must be on positive values');
    this.dimension = this.names.length;

    this.liftTests = config.liftTests.map((test) => {
      const channel = this.channelNames.indexOf(test.channel);
      if (channel < 0) throw new Error(`lift test for unknown channel '${test.channel}'`);
      const from = weekIndex(data.dates, test.start, 'start');
      const to = weekIndex(data.dates, test.end, 'end');
      if (to < from)
        throw new Error(
          `lift test for '${test.channel}' (${test.start}..${test.end}) covers no week of the data`,
        );
      if (!(test.stdError > 0) || !Number.isFinite(test.lift))
        throw new Error(`lift test for '${test.channel}' needs a finite lift and a positive stdError`);
      return { channel, from, to, lift: test.lift, stdError: test.stdError };
    });

    const C = channels.length;
    const L = config.maxLag;
    this.values = new Float64Array(this.dimension);
    this.mu = new Float64Array(weeks);
    this.contribution = new Float64Array(C * weeks);
    this.beta = new Float64Array(C);
    this.weights = new Float64Array(C * L);
    this.weightGrad = Array.from({ length: C }, () =>
      Array.from({ length: this.adstockCount }, () => new Float64Array(L)),
    );
    this.adstocked = new Float64Array(C * weeks);
    this.adstockDerivative = new Float64Array(C * weeks);
    this.saturated = new Float64Array(C * weeks);
    this.satGradA = new Float64Array(C * weeks);
    this.satGradP0 = new Float64Array(C * weeks);
    this.satGradP1 = new Float64Array(C * weeks);
    this.saturationTotal = new Float64Array(C);
    this.residualGrad = new Float64Array(weeks);
    this.channelAdjoint = new Float64Array(weeks);
    this.valueGrad = new Float64Array(this.dimension);
    this.priorGrad = new Float64Array(this.dimension);
    this.liftAdjoint = new Float64Array(this.liftTests.length);
    this.weightAdjoint = new Float64Array(L);
  }

  get channelCount(): number {
    return this.channelNames.length;
  }

  /** Fills `values` with the constrained parameters and returns log prior + log Jacobian, gradient in priorGrad. */
  private constrainAll(q: Float64Array): number {
    let lp = 0;
    for (let i = 0; i < this.dimension; i++) {
      const v = constrain(this.supports[i], q[i]);
      this.values[i] = v;
      lp += logPriorUnconstrained(this.priors[i], q[i], v, this.scratch);
      this.priorGrad[i] = this.scratch[0];
    }
    return lp;
  }

  /** Computes mu and the channel contributions (scaled units) for the current `values`. */
  forward(): void {
    const T = this.weeks;
    const L = this.config.maxLag;
    const v = this.values;
    const mu = this.mu;
    const intercept = v[this.interceptIndex];
    const trend = this.trendIndex >= 0 ? v[this.trendIndex] : 0;
    for (let t = 0; t < T; t++) mu[t] = intercept + trend * this.trendFeature[t];
    for (let j = 0; j < this.seasonCount; j++) {
      const gamma = v[this.seasonIndex + j];
      const offset = j * T;
      for (let t = 0; t < T; t++) mu[t] += gamma * this.seasonFeatures[offset + t];
    }
    for (let k = 0; k < this.controlNames.length; k++) {
      const gamma = v[this.controlIndex + k];
      const offset = k * T;
      for (let t = 0; t < T; t++) mu[t] += gamma * this.controlFeatures[offset + t];
    }
    const adstockParams = this.scratch;
    const x = this.x;
    const adstocked = this.adstocked;
    const saturated = this.saturated;
    const contributionAll = this.contribution;
    const fitWeeks = this.fitWeeks;
    const geometric = this.config.adstock === 'geometric';
    for (let c = 0; c < this.channelCount; c++) {
      const base = this.channelIndex + c * this.channelStride;
      for (let j = 0; j < this.adstockCount; j++) adstockParams[j] = v[base + 1 + j];
      const w = this.weights.subarray(c * L, (c + 1) * L);
      adstockWeights(
        this.config.adstock,
        adstockParams,
        L,
        this.config.normalizeAdstock,
        w,
        this.weightGrad[c],
      );
      const p0 = v[base + 1 + this.adstockCount];
      const p1 = this.saturationCount > 1 ? v[base + 2 + this.adstockCount] : 0;
      const offset = c * T;
      if (geometric) this.geometricAdstock(offset, v[base + 1], L);
      else {
        for (let t = 0; t < T; t++) {
          let a = 0;
          const maxL = t + 1 < L ? t + 1 : L;
          const at = offset + t;
          for (let l = 0; l < maxL; l++) a += w[l] * x[at - l];
          adstocked[at] = a;
        }
      }
      this.saturateChannel(offset, p0, p1);
      let total = 0;
      for (let t = 0; t < fitWeeks; t++) total += saturated[offset + t];
      this.saturationTotal[c] = total;
      const effect = v[base];
      const beta =
        this.config.channelEffect === 'roi'
          ? (effect * this.spendTotal[c]) / (this.targetScale * total)
          : effect;
      this.beta[c] = beta;
      // mu carries the contribution minus its mean over the fitted weeks, so that the intercept is
      // the average expected KPI and does not trade off against the size of the media effects.
      const centre = (beta * total) / fitWeeks;
      for (let t = 0; t < T; t++) {
        const contribution = beta * saturated[offset + t];
        contributionAll[offset + t] = contribution;
        mu[t] += contribution - centre;
      }
    }
  }

  /**
   * Geometric adstock in O(T) with the truncated recursion u_t = alpha u_(t-1) + x_t - alpha^L x_(t-L),
   * and its derivative d_t = du_t/dalpha = alpha d_(t-1) + u_(t-1) - L alpha^(L-1) x_(t-L) (forward mode).
   */
  private geometricAdstock(offset: number, alpha: number, L: number): void {
    const T = this.weeks;
    const x = this.x;
    const adstocked = this.adstocked;
    const derivative = this.adstockDerivative;
    let sum = 0;
    let dSum = 0;
    let power = 1;
    for (let l = 0; l < L; l++) {
      sum += power;
      if (l > 0) dSum += l * (power / alpha);
      power *= alpha;
    }
    const alphaL = power; // alpha^L
    const lAlphaL1 = L * pow(alpha, L - 1);
    const scale = this.config.normalizeAdstock ? 1 / sum : 1;
    const dScale = this.config.normalizeAdstock ? -dSum / (sum * sum) : 0;
    let u = 0;
    let d = 0;
    for (let t = 0; t < T; t++) {
      const dropped = t >= L ? x[offset + t - L] : 0;
      d = alpha * d + u - lAlphaL1 * dropped;
      u = alpha * u + x[offset + t] - alphaL * dropped;
      adstocked[offset + t] = u * scale;
      derivative[offset + t] = d * scale + u * dScale;
    }
  }

  /** Saturation of one channel's adstocked spend, with d/da and d/dparams, in one loop per curve kind. */
  private saturateChannel(offset: number, p0: number, p1: number): void {
    const T = this.weeks;
    const adstocked = this.adstocked;
    const saturated = this.saturated;
    const gradA = this.satGradA;
    const gradP0 = this.satGradP0;
    const gradP1 = this.satGradP1;
    const kind = this.config.saturation;
    if (kind === 'logistic') {
      // s = (1 - e) / (1 + e), e = exp(-lambda a) = tanh(lambda a / 2); ds/d(lambda a) = (1 - s^2) / 2.
      for (let t = offset; t < offset + T; t++) {
        const a = adstocked[t];
        const e = exp(-p0 * a);
        const s = (1 - e) / (1 + e);
        const common = 0.5 * (1 - s * s);
        saturated[t] = s;
        gradA[t] = p0 * common;
        gradP0[t] = a * common;
      }
      return;
    }
    const out = this.satScratch;
    for (let t = offset; t < offset + T; t++) {
      saturated[t] = saturate(kind, adstocked[t], p0, p1, out);
      gradA[t] = out[0];
      gradP0[t] = out[1];
      gradP1[t] = out[2];
    }
  }

  logDensityGradient(q: Float64Array, grad: Float64Array): number {
    let lp = this.constrainAll(q);
    this.forward();
    const T = this.weeks;
    const fitWeeks = this.fitWeeks;
    const L = this.config.maxLag;
    const v = this.values;
    const dv = this.valueGrad;
    dv.fill(0);
    const sigma = v[this.sigmaIndex];
    const g = this.residualGrad;
    g.fill(0);

    // Likelihood.
    const invSigma2 = 1 / (sigma * sigma);
    let sumSq = 0;
    for (let t = 0; t < fitWeeks; t++) {
      const r = this.y[t] - this.mu[t];
      sumSq += r * r;
      g[t] = r * invSigma2;
    }
    lp += -fitWeeks * log(sigma) - 0.5 * sumSq * invSigma2;
    let dSigma = -fitWeeks / sigma + (sumSq * invSigma2) / sigma;
    if (this.config.likelihood === 'truncated-normal') {
      for (let t = 0; t < fitWeeks; t++) {
        const z = this.mu[t] / sigma;
        lp -= logNormalCdf(z);
        const mills = dLogNormalCdf(z);
        g[t] -= mills / sigma;
        dSigma += (mills * z) / sigma;
      }
    }
    dv[this.sigmaIndex] = dSigma;

    // Lift tests: Normal(measured | model lift, stdError), model lift = sum of the channel's contribution over the period.
    for (let i = 0; i < this.liftTests.length; i++) {
      const test = this.liftTests[i];
      let modelLift = 0;
      for (let t = test.from; t <= test.to; t++) modelLift += this.contribution[test.channel * T + t];
      modelLift *= this.targetScale;
      const z = (test.lift - modelLift) / test.stdError;
      lp -= 0.5 * z * z;
      this.liftAdjoint[i] = (this.targetScale * z) / test.stdError;
    }

    // Baseline.
    let sumG = 0;
    for (let t = 0; t < fitWeeks; t++) sumG += g[t];
    dv[this.interceptIndex] = sumG;
    if (this.trendIndex >= 0) dv[this.trendIndex] = dot(g, this.trendFeature, 0, fitWeeks);
    for (let j = 0; j < this.seasonCount; j++)
      dv[this.seasonIndex + j] = dot(g, this.seasonFeatures, j * T, fitWeeks);
    for (let k = 0; k < this.controlNames.length; k++)
      dv[this.controlIndex + k] = dot(g, this.controlFeatures, k * T, fitWeeks);

    // Channels.
    const adjoint = this.channelAdjoint;
    const roiMode = this.config.channelEffect === 'roi';
    for (let c = 0; c < this.channelCount; c++) {
      const base = this.channelIndex + c * this.channelStride;
      const offset = c * T;
      const centreAdjoint = sumG / fitWeeks;
      for (let t = 0; t < T; t++) adjoint[t] = t < fitWeeks ? g[t] - centreAdjoint : 0;
      for (let i = 0; i < this.liftTests.length; i++) {
        const test = this.liftTests[i];
        if (test.channel !== c) continue;
        for (let t = test.from; t <= test.to; t++) adjoint[t] += this.liftAdjoint[i];
      }
      let sumGh = 0;
      for (let t = 0; t < T; t++) sumGh += adjoint[t] * this.saturated[offset + t];
      const beta = this.beta[c];
      // From here `adjoint` holds d lp / d saturated[t].
      if (roiMode) {
        dv[base] = (sumGh * beta) / v[base];
        const correction = (beta * sumGh) / this.saturationTotal[c];
        for (let t = 0; t < T; t++) adjoint[t] = beta * adjoint[t] - (t < fitWeeks ? correction : 0);
      } else {
        dv[base] = sumGh;
        for (let t = 0; t < T; t++) adjoint[t] *= beta;
      }
      const satBase = base + 1 + this.adstockCount;
      let dP0 = 0;
      let dP1 = 0;
      const gradP0 = this.satGradP0;
      const gradP1 = this.satGradP1;
      const gradA = this.satGradA;
      for (let t = 0; t < T; t++) {
        const a = adjoint[t];
        dP0 += a * gradP0[offset + t];
        dP1 += a * gradP1[offset + t];
        adjoint[t] = a * gradA[offset + t]; // now d lp / d adstocked[t]
      }
      dv[satBase] = dP0;
      if (this.saturationCount > 1) dv[satBase + 1] = dP1;
      if (this.config.adstock === 'geometric') {
        const derivative = this.adstockDerivative;
        let total = 0;
        for (let t = 0; t < T; t++) total += adjoint[t] * derivative[offset + t];
        dv[base + 1] = total;
        continue;
      }
      // d lp / d w[l] = sum_t adjoint[t] x[t - l], then the chain rule through the weights.
      const x = this.x;
      const weightAdjoint = this.weightAdjoint;
      for (let l = 0; l < L; l++) {
        let wbar = 0;
        const shifted = offset - l;
        for (let t = l; t < T; t++) wbar += adjoint[t] * x[shifted + t];
        weightAdjoint[l] = wbar;
      }
      const weightGrad = this.weightGrad[c];
      for (let j = 0; j < this.adstockCount; j++) {
        const dw = weightGrad[j];
        let total = 0;
        for (let l = 0; l < L; l++) total += weightAdjoint[l] * dw[l];
        dv[base + 1 + j] = total;
      }
    }

    for (let i = 0; i < this.dimension; i++) {
      grad[i] = dv[i] * constrainDerivative(this.supports[i], v[i]) + this.priorGrad[i];
    }
    return lp;
  }

  /** Sets `values` from an unconstrained point and runs forward(); for summaries. */
  evaluate(q: ArrayLike<number>): void {
    for (let i = 0; i < this.dimension; i++) this.values[i] = constrain(this.supports[i], q[i]);
    this.forward();
  }

  /** Adstock weights of one channel for the current `values` (valid after forward()). */
  adstockWeightsOf(channel: number): Float64Array {
    const L = this.config.maxLag;
    return this.weights.subarray(channel * L, (channel + 1) * L);
  }
}

function dot(a: Float64Array, b: Float64Array, offset: number, n: number): number {
  let s = 0;
  for (let t = 0; t < n; t++) s += a[t] * b[offset + t];
  return s;
}
