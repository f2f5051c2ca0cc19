import { DEFAULT_SAMPLING, sampleMmm, type SamplingOptions } from './chains';
import { type MmmConfig, type MmmConfigInput, type MmmData, resolveConfig } from './config';
import { diagnose, ebfmi } from './diagnostics';
import { MmmModel } from './model';
import type { ChainResult } from './nuts';
import { describePrior } from './priors';
import { Random } from './rng';
import { band, type Band, type Estimate, estimate } from './summary';
import { saturationValue, type SaturationKind } from './transforms';
import { validateInput } from './validation';

export interface ParameterSummary extends Estimate {
  name: string;
  prior: string;
  rhat: number;
  essBulk: number;
  essTail: number;
}

export interface ChannelResult {
  name: string;
  /** Total spend over the fitted weeks. */
  spend: number;
  /** Total incremental KPI over the fitted weeks. */
  contribution: Estimate;
  /** Incremental KPI per unit of spend over the fitted weeks. */
  roas: Estimate;
  /** Extra KPI per extra unit of spend when all of the channel's spend is raised by 1%. */
  marginalRoas: Estimate;
  /** Share of the total media effect. */
  share: Estimate;
  contributionOverTime: Band;
  /** Adstock weight by lag (weeks). */
  adstock: Band;
  /** Steady-state weekly contribution against constant weekly spend. */
  responseCurve: Band & { spend: number[] };
}

export interface FitQuality {
  weeks: number;
  mape: number;
  r2: number;
  /** Fraction of observed weeks inside the 94% posterior predictive interval. */
  coverage: number;
}

export interface MmmResults {
  channels: ChannelResult[];
  parameters: ParameterSummary[];
  /** Expected KPI per week (fitted and hold-out weeks) and its baseline (without media). */
  expected: Band;
  baseline: Band;
  fit: FitQuality;
  holdout: FitQuality | null;
}

export interface MmmDiagnostics {
  chains: number;
  draws: number;
  rhatMax: number;
  rhatMaxParameter: string;
  essBulkMin: number;
  essTailMin: number;
  divergences: number;
  treeDepthSaturated: number;
  maxTreeDepth: number;
  ebfmiMin: number;
  stepSizes: number[];
  meanAcceptStat: number;
  /** Leapfrog steps over warm-up and sampling, all chains. */
  gradientEvaluations: number;
  converged: boolean;
  /** Why the fit is not trustworthy (empty when converged). */
  problems: string[];
  /** Non-blocking notes (tree depth saturation, low E-BFMI). */
  notes: string[];
  /** "converged", or what went wrong and what to do. */
  verdict: string;
}

/** Posterior draws of what the budget optimiser needs, per draw and channel (scaled units). */
export interface ResponseDraws {
  draws: number;
  channels: string[];
  saturation: SaturationKind;
  targetScale: number;
  spendScale: number[];
  /** Current weekly spend per channel: the mean over the fitted weeks. */
  averageSpend: number[];
  beta: Float64Array;
  weightSum: Float64Array;
  p0: Float64Array;
  p1: Float64Array;
}

export interface MmmFit {
  config: MmmConfig;
  warnings: string[];
  diagnostics: MmmDiagnostics;
  /** Null when the fit did not converge (unless allowUnconverged). */
  results: MmmResults | null;
  response: ResponseDraws;
  parameterNames: string[];
  /** Constrained draws per chain: chains[c][d * names.length + i]. */
  chains: Float64Array[];
  seconds: number;
}

export interface FitOptions extends Partial<SamplingOptions> {
  /** Compute results even when the diagnostics fail (they are still reported as not converged). */
  allowUnconverged?: boolean;
  /** Draws used for time series bands, curves and the optimiser. */
  summaryDraws?: number;
}

const RHAT_LIMIT = 1.01;
const ESS_PER_CHAIN = 100;
const MARGINAL_STEP = 0.01;

export async function fitMmm(
  data: MmmData,
  configInput: MmmConfigInput = {},
  options: FitOptions = {},
): Promise<MmmFit> {
  const started = performance.now();
  const config = resolveConfig(configInput);
  const warnings = validateInput(data, config);
  const model = new MmmModel(data, config);
  const sampling: SamplingOptions = { ...DEFAULT_SAMPLING, ...options };
  const chainResults = await sampleMmm(data, config, sampling);
  return summariseFit(model, chainResults, warnings, options, (performance.now() - started) / 1000);
}

export function summariseFit(
  model: MmmModel,
  chainResults: ChainResult[],
  warnings: string[],
  options: FitOptions,
  seconds: number,
): MmmFit {
  const dim = model.dimension;
  const names = model.names;
  const C = model.channelCount;
  const T = model.weeks;
  const fitWeeks = model.fitWeeks;
  const chains = chainResults.length;
  const draws = chainResults[0].draws.length / dim;
  const total = chains * draws;

  // Constrained draws, and the derived per-draw channel quantities.
  const constrained = chainResults.map((r) => new Float64Array(r.draws.length));
  const roi = chainResults.map(() => new Float64Array(draws * C));
  const contributionTotal = new Float64Array(total * C);
  const marginal = new Float64Array(total * C);
  const share = new Float64Array(total * C);
  const summaryDraws = Math.min(total, options.summaryDraws ?? 500);
  const stride = total / summaryDraws;
  const channelSeries = new Float64Array(summaryDraws * C * T);
  const expectedSeries = new Float64Array(summaryDraws * T);
  const baselineSeries = new Float64Array(summaryDraws * T);
  const predictiveSeries = new Float64Array(summaryDraws * T);
  const L = model.config.maxLag;
  const adstockDraws = new Float64Array(summaryDraws * C * L);
  const response: ResponseDraws = {
    draws: summaryDraws,
    channels: model.channelNames,
    saturation: model.config.saturation,
    targetScale: model.targetScale,
    spendScale: Array.from(model.spendScale),
    averageSpend: Array.from(model.spendTotal, (s) => s / fitWeeks),
    beta: new Float64Array(summaryDraws * C),
    weightSum: new Float64Array(summaryDraws * C),
    p0: new Float64Array(summaryDraws * C),
    p1: new Float64Array(summaryDraws * C),
  };
  const rng = new Random(options.seed ?? DEFAULT_SAMPLING.seed, 99); // posterior predictive noise
  const satBase = 1 + model.adstockCount;
  let nextSummary = 0;
  for (let c = 0; c < chains; c++) {
    const raw = chainResults[c].draws;
    for (let d = 0; d < draws; d++) {
      const flat = c * draws + d;
      model.evaluate(raw.subarray(d * dim, (d + 1) * dim));
      constrained[c].set(model.values, d * dim);
      let media = 0;
      for (let k = 0; k < C; k++) {
        let sum = 0;
        let bumped = 0;
        const base = model.channelIndex + k * model.channelStride;
        const p0 = model.values[base + satBase];
        const p1 = model.saturationCount > 1 ? model.values[base + satBase + 1] : 0;
        const beta = model.beta[k];
        for (let t = 0; t < fitWeeks; t++) {
          sum += model.contribution[k * T + t];
          bumped +=
            beta *
            saturationValue(
              model.config.saturation,
              model.adstocked[k * T + t] * (1 + MARGINAL_STEP),
              p0,
              p1,
            );
        }
        const totalKpi = sum * model.targetScale;
        contributionTotal[flat * C + k] = totalKpi;
        roi[c][d * C + k] = totalKpi / model.spendTotal[k];
        marginal[flat * C + k] = ((bumped - sum) * model.targetScale) / (MARGINAL_STEP * model.spendTotal[k]);
        media += totalKpi;
      }
      for (let k = 0; k < C; k++) share[flat * C + k] = contributionTotal[flat * C + k] / media;
      if (flat >= nextSummary * stride && nextSummary < summaryDraws) {
        const s = nextSummary++;
        const sigma = model.values[model.sigmaIndex];
        for (let t = 0; t < T; t++) {
          const mu = model.mu[t];
          let media = 0;
          for (let k = 0; k < C; k++) {
            const v = model.contribution[k * T + t] * model.targetScale;
            channelSeries[(s * C + k) * T + t] = v;
            media += v;
          }
          expectedSeries[s * T + t] = mu * model.targetScale;
          baselineSeries[s * T + t] = mu * model.targetScale - media;
          let y = mu + sigma * rng.normal();
          if (model.config.likelihood === 'truncated-normal') {
            for (let attempt = 0; attempt < 100 && y < 0; attempt++) y = mu + sigma * rng.normal();
            y = Math.max(0, y);
          }
          predictiveSeries[s * T + t] = y * model.targetScale;
        }
        for (let k = 0; k < C; k++) {
          const base = model.channelIndex + k * model.channelStride;
          const w = model.adstockWeightsOf(k);
          let weightSum = 0;
          for (let l = 0; l < L; l++) {
            adstockDraws[(s * C + k) * L + l] = w[l];
            weightSum += w[l];
          }
          response.beta[s * C + k] = model.beta[k];
          response.weightSum[s * C + k] = weightSum;
          response.p0[s * C + k] = model.values[base + satBase];
          response.p1[s * C + k] = model.saturationCount > 1 ? model.values[base + satBase + 1] : 0;
        }
      }
    }
  }

  const diagnostics = diagnoseChains(model, chainResults, constrained, roi);
  const fit: MmmFit = {
    config: model.config,
    warnings,
    diagnostics,
    results: null,
    response,
    parameterNames: names,
    chains: constrained,
    seconds,
  };
  if (!diagnostics.converged && !options.allowUnconverged) return fit;

  const parameters: ParameterSummary[] = names.map((name, i) => {
    const perChain = constrained.map((chain) =>
      Float64Array.from({ length: draws }, (_, d) => chain[d * dim + i]),
    );
    const pooled = Float64Array.from(perChain.flatMap((x) => Array.from(x)));
    return { name, prior: describePrior(model.priors[i]), ...estimate(pooled), ...diagnose(perChain) };
  });
  const column = (matrix: Float64Array, k: number) =>
    Float64Array.from({ length: total }, (_, d) => matrix[d * C + k]);
  const channels: ChannelResult[] = model.channelNames.map((name, k) => {
    const series = new Float64Array(summaryDraws * T);
    for (let s = 0; s < summaryDraws; s++)
      series.set(channelSeries.subarray((s * C + k) * T, (s * C + k + 1) * T), s * T);
    const adstock = new Float64Array(summaryDraws * L);
    for (let s = 0; s < summaryDraws; s++)
      adstock.set(adstockDraws.subarray((s * C + k) * L, (s * C + k + 1) * L), s * L);
    const pooledRoi = Float64Array.from(
      { length: total },
      (_, d) => roi[Math.floor(d / draws)][(d % draws) * C + k],
    );
    return {
      name,
      spend: model.spendTotal[k],
      contribution: estimate(column(contributionTotal, k)),
      roas: estimate(pooledRoi),
      marginalRoas: estimate(column(marginal, k)),
      share: estimate(column(share, k)),
      contributionOverTime: band(series, summaryDraws, T),
      adstock: band(adstock, summaryDraws, L),
      responseCurve: responseCurve(response, k),
    };
  });
  const y = Array.from(model.y, (v) => v * model.targetScale);
  const predictive = band(predictiveSeries, summaryDraws, T);
  const expected = band(expectedSeries, summaryDraws, T);
  fit.results = {
    channels,
    parameters,
    expected,
    baseline: band(baselineSeries, summaryDraws, T),
    fit: fitQuality(y, expected.mean, predictive, 0, fitWeeks),
    holdout: fitWeeks < T ? fitQuality(y, expected.mean, predictive, fitWeeks, T) : null,
  };
  return fit;
}

function fitQuality(y: number[], expected: number[], predictive: Band, from: number, to: number): FitQuality {
  let absPct = 0;
  let pctCount = 0;
  let ssRes = 0;
  let mean = 0;
  for (let t = from; t < to; t++) mean += y[t] / (to - from);
  let ssTot = 0;
  let inside = 0;
  for (let t = from; t < to; t++) {
    const r = y[t] - expected[t];
    if (y[t] !== 0) {
      absPct += Math.abs(r / y[t]);
      pctCount++;
    }
    ssRes += r * r;
    ssTot += (y[t] - mean) ** 2;
    if (y[t] >= predictive.hdiLow[t] && y[t] <= predictive.hdiHigh[t]) inside++;
  }
  return {
    weeks: to - from,
    mape: pctCount ? absPct / pctCount : NaN,
    r2: 1 - ssRes / ssTot,
    coverage: inside / (to - from),
  };
}

/** Weekly contribution at steady state when spending `spend` every week. */
export function steadyStateContribution(
  response: ResponseDraws,
  draw: number,
  channel: number,
  spend: number,
): number {
  const i = draw * response.channels.length + channel;
  const a = (spend * response.weightSum[i]) / response.spendScale[channel];
  return (
    response.beta[i] *
    saturationValue(response.saturation, a, response.p0[i], response.p1[i]) *
    response.targetScale
  );
}

function responseCurve(response: ResponseDraws, k: number): Band & { spend: number[] } {
  const points = 21;
  const spend = Array.from({ length: points }, (_, i) => (2 * response.averageSpend[k] * i) / (points - 1));
  const matrix = new Float64Array(response.draws * points);
  for (let d = 0; d < response.draws; d++) {
    for (let i = 0; i < points; i++)
      matrix[d * points + i] = steadyStateContribution(response, d, k, spend[i]);
  }
  return { spend, ...band(matrix, response.draws, points) };
}

function diagnoseChains(
  model: MmmModel,
  results: ChainResult[],
  constrained: Float64Array[],
  roi: Float64Array[],
): MmmDiagnostics {
  const dim = model.dimension;
  const C = model.channelCount;
  const chains = results.length;
  const draws = results[0].draws.length / dim;
  let rhatMax = -Infinity;
  let rhatMaxParameter = '';
  let essBulkMin = Infinity;
  let essTailMin = Infinity;
  const consider = (name: string, perChain: Float64Array[]) => {
    const d = diagnose(perChain);
    if (!Number.isNaN(d.rhat) && d.rhat > rhatMax) {
      rhatMax = d.rhat;
      rhatMaxParameter = name;
    }
    if (!Number.isNaN(d.essBulk)) essBulkMin = Math.min(essBulkMin, d.essBulk);
    if (!Number.isNaN(d.essTail)) essTailMin = Math.min(essTailMin, d.essTail);
  };
  for (let i = 0; i < dim; i++)
    consider(
      model.names[i],
      constrained.map((chain) => Float64Array.from({ length: draws }, (_, d) => chain[d * dim + i])),
    );
  if (model.config.channelEffect !== 'roi') {
    for (let k = 0; k < C; k++)
      consider(
        `roi[${model.channelNames[k]}]`,
        roi.map((chain) => Float64Array.from({ length: draws }, (_, d) => chain[d * C + k])),
      );
  }
  consider(
    'lp__',
    results.map((r) => r.logDensity),
  );
  const divergences = results.reduce((s, r) => s + r.divergent.reduce((a, b) => a + b, 0), 0);
  const maxTreeDepth = results[0].maxTreeDepth;
  const treeDepthSaturated = results.reduce(
    (s, r) => s + r.treeDepth.filter((d) => d >= maxTreeDepth).length,
    0,
  );
  const ebfmiMin = Math.min(...results.map((r) => ebfmi(r.energy)));
  const meanAcceptStat =
    results.reduce((s, r) => s + r.acceptStat.reduce((a, b) => a + b, 0), 0) / (chains * draws);
  const gradientEvaluations = results.reduce(
    (s, r) => s + r.warmupLeapfrogs + r.leapfrogs.reduce((a, b) => a + b, 0),
    0,
  );
  const problems: string[] = [];
  const notes: string[] = [];
  if (!(rhatMax < RHAT_LIMIT)) {
    problems.push(
      `R-hat ${rhatMax.toFixed(3)} for ${rhatMaxParameter} is above ${RHAT_LIMIT}: the chains disagree; run longer (more tune and draws), or simplify the model or tighten its priors`,
    );
  }
  const essNeeded = ESS_PER_CHAIN * chains;
  if (!(essBulkMin >= essNeeded))
    problems.push(
      `bulk ESS ${essBulkMin.toFixed(0)} is below ${essNeeded} (${ESS_PER_CHAIN} per chain): run more draws`,
    );
  if (!(essTailMin >= essNeeded))
    problems.push(
      `tail ESS ${essTailMin.toFixed(0)} is below ${essNeeded} (${ESS_PER_CHAIN} per chain): run more draws`,
    );
  if (divergences > 0) {
    problems.push(
      `${divergences} divergent transitions: the sampler could not explore part of the posterior; raise the target acceptance (e.g. 0.95) or make the priors more informative`,
    );
  }
  if (treeDepthSaturated > 0)
    notes.push(
      `${treeDepthSaturated} transitions hit the maximum tree depth ${maxTreeDepth}: sampling is inefficient, not biased`,
    );
  if (ebfmiMin < 0.3)
    notes.push(
      `E-BFMI ${ebfmiMin.toFixed(2)} is below 0.3: the momentum resampling explores the energy poorly`,
    );
  const converged = problems.length === 0;
  return {
    chains,
    draws,
    rhatMax,
    rhatMaxParameter,
    essBulkMin,
    essTailMin,
    divergences,
    treeDepthSaturated,
    maxTreeDepth,
    ebfmiMin,
    stepSizes: results.map((r) => r.stepSize),
    meanAcceptStat,
    gradientEvaluations,
    converged,
    problems,
    notes,
    verdict: converged ? 'converged' : `not converged: ${problems.join('; ')}`,
  };
}
