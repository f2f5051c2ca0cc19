import { PredictionIntervals } from './types';

/**
 * Split-conformal prediction intervals from out-of-sample errors (Vovk, Gammerman and Shafer 2005;
 * for forecasting, Stankeviciute et al. 2021). The score of an error e made h steps ahead is
 * |e| / sqrt(h), so that errors at every horizon can be pooled; the interval half-width at step h
 * is q sqrt(h), q being the ceil((n + 1) level)-th smallest of the n scores (the largest when
 * there are too few). Intervals therefore widen with the horizon like a random walk's. With no
 * errors at all the intervals have zero width (callers record that).
 */
export function conformalIntervals(
  mean: readonly number[],
  errorsByStep: readonly (readonly number[])[],
  levels: readonly number[],
): PredictionIntervals {
  const scores: number[] = [];
  errorsByStep.forEach((errors) =>
    errors.forEach((error, step) => {
      if (Number.isFinite(error)) scores.push(Math.abs(error) / Math.sqrt(step + 1));
    }),
  );
  scores.sort((a, b) => a - b);
  const intervals: PredictionIntervals = {};
  for (const level of levels) {
    const rank = Math.ceil(((scores.length + 1) * level) / 100);
    const q = scores.length === 0 ? 0 : scores[Math.min(rank, scores.length) - 1];
    intervals[String(level)] = {
      lower: mean.map((v, i) => v - q * Math.sqrt(i + 1)),
      upper: mean.map((v, i) => v + q * Math.sqrt(i + 1)),
    };
  }
  return intervals;
}
