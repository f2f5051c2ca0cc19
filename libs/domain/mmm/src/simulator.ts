import type { MmmData } from './config';
import { Random } from './rng';
import { saturationValue } from './transforms';

/**
 * Weekly data with known truth, generated exactly as the model assumes (geometric adstock
 * normalised to sum 1 over `maxLag` weeks, logistic saturation of spend / max spend, additive
 * baseline with linear trend and yearly Fourier seasonality, Gaussian noise). The effect of each
 * channel is set from its true ROI, so ROI = sum of contribution / sum of spend over all weeks.
 */
export interface SimulationOptions {
  weeks: number;
  channels: number;
  seed: number;
  startDate?: string;
  maxLag?: number;
  /** Baseline KPI level per week. */
  baseline?: number;
  /** Noise standard deviation as a fraction of the baseline. */
  noise?: number;
}

export interface SimulatedChannel {
  name: string;
  alpha: number;
  lambda: number;
  roi: number;
  /** Weekly contribution in KPI units. */
  contribution: number[];
}

export interface SimulatedMmm {
  data: MmmData;
  truth: { channels: SimulatedChannel[]; sigma: number; maxLag: number };
}

const DAY_MS = 86_400_000;

export function simulateMmm(options: SimulationOptions): SimulatedMmm {
  const rng = new Random(options.seed, 7919);
  const weeks = options.weeks;
  const maxLag = options.maxLag ?? 8;
  const baseline = options.baseline ?? 10_000;
  const sigma = (options.noise ?? 0.04) * baseline;
  const start = Date.parse(`${options.startDate ?? '2022-01-03'}T00:00:00Z`);
  const dates = Array.from({ length: weeks }, (_, t) =>
    new Date(start + 7 * t * DAY_MS).toISOString().slice(0, 10),
  );
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();

  const channels: SimulatedChannel[] = [];
  const spends: number[][] = [];
  const mediaTotal = new Float64Array(weeks);
  for (let c = 0; c < options.channels; c++) {
    const level = uniform(0.03, 0.12) * baseline;
    const offRate = uniform(0, 0.3);
    const spend: number[] = Array.from({ length: weeks }, (): number =>
      rng.uniform() < offRate ? 0 : Math.round(level * uniform(0.2, 1.8) * 100) / 100,
    );
    if (!spend.some((v) => v > 0)) spend[0] = level;
    const alpha = uniform(0.1, 0.7);
    const lambda = uniform(0.8, 4);
    const roi = uniform(0.5, 3);
    const maxSpend = Math.max(...spend);
    const weights = Array.from({ length: maxLag }, (_, l) => alpha ** l);
    const weightSum = weights.reduce((s, w) => s + w, 0);
    const saturated = spend.map((_, t) => {
      let a = 0;
      for (let l = 0; l <= Math.min(t, maxLag - 1); l++)
        a += (weights[l] / weightSum) * (spend[t - l] / maxSpend);
      return saturationValue('logistic', a, lambda, 0);
    });
    const totalSpend = spend.reduce((s, v) => s + v, 0);
    const beta = (roi * totalSpend) / saturated.reduce((s, v) => s + v, 0);
    const contribution = saturated.map((s) => beta * s);
    contribution.forEach((v, t) => (mediaTotal[t] += v));
    channels.push({ name: `channel_${c + 1}`, alpha, lambda, roi, contribution });
    spends.push(spend);
  }
  const trendSlope = uniform(-0.1, 0.2) * baseline;
  const seasonSin = uniform(-0.1, 0.1) * baseline;
  const seasonCos = uniform(-0.1, 0.1) * baseline;
  const target = dates.map((date, t) => {
    const ms = Date.parse(`${date}T00:00:00Z`);
    const year = new Date(ms).getUTCFullYear();
    const doy = (ms - Date.UTC(year, 0, 1)) / DAY_MS + 1;
    const angle = (2 * Math.PI * doy) / 365.25;
    const base =
      baseline + (trendSlope * t) / weeks + seasonSin * Math.sin(angle) + seasonCos * Math.cos(angle);
    return base + mediaTotal[t] + sigma * rng.normal();
  });
  return {
    data: { dates, target, channels: channels.map((c, i) => ({ name: c.name, spend: spends[i] })) },
    truth: { channels, sigma, maxLag },
  };
}
