/**
 * Robust change detection for a daily metric: the observed value against the median and the
 * median absolute deviation (MAD) of a reference window of previous days, as the modified z-score
 * of Iglewicz and Hoaglin (1993): z = 0.6745 (x - median) / MAD; |z| > 3.5 is their outlier
 * threshold. When MAD is 0 (a flat window), the mean absolute deviation scaled by 1.2533 stands in
 * (z = (x - median) / (1.2533 * meanAD)); a window that is flat in both is not judged. A change
 * also needs a minimum effect size, relative to the median and absolute, so that tiny metrics with
 * tiny spread do not raise signals on noise.
 */
export interface ChangeOptions {
  /** Days of history needed before judging (default 14). */
  minHistory?: number;
  /** |modified z| from which a change is notable (default 3.5). */
  threshold?: number;
  /** Minimum |observed - median| / |median| (default 0.2). */
  minRelativeEffect?: number;
  /** Minimum |observed - median| in the metric's units (default 0). */
  minAbsoluteEffect?: number;
}

export type Severity = 'low' | 'medium' | 'high';

export interface Change {
  expected: number;
  observed: number;
  score: number;
  relativeEffect: number | null;
  severity: Severity;
  direction: 'up' | 'down';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The modified z-score of `observed` against `history`, or null when the window cannot judge. */
export function robustScore(history: number[], observed: number): { expected: number; score: number } | null {
  if (history.length === 0) return null;
  const center = median(history);
  const deviations = history.map((v) => Math.abs(v - center));
  const mad = median(deviations);
  if (mad > 0) return { expected: center, score: (0.6745 * (observed - center)) / mad };
  const meanAd = deviations.reduce((s, d) => s + d, 0) / deviations.length;
  if (meanAd > 0) return { expected: center, score: (observed - center) / (1.2533 * meanAd) };
  return null;
}

/** A notable change of `observed` against `history`, or null. */
export function detectChange(
  history: number[],
  observed: number,
  options: ChangeOptions = {},
): Change | null {
  const { minHistory = 14, threshold = 3.5, minRelativeEffect = 0.2, minAbsoluteEffect = 0 } = options;
  const finite = history.filter(Number.isFinite);
  if (finite.length < minHistory || !Number.isFinite(observed)) return null;
  const scored = robustScore(finite, observed);
  if (!scored || Math.abs(scored.score) < threshold) return null;
  const effect = Math.abs(observed - scored.expected);
  const relativeEffect = scored.expected === 0 ? null : effect / Math.abs(scored.expected);
  if (effect < minAbsoluteEffect) return null;
  if (relativeEffect !== null && relativeEffect < minRelativeEffect) return null;
  const size = Math.abs(scored.score);
  return {
    expected: scored.expected,
    observed,
    score: scored.score,
    relativeEffect,
    severity: size >= 8 ? 'high' : size >= 5 ? 'medium' : 'low',
    direction: observed > scored.expected ? 'up' : 'down',
  };
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);

/** One sentence a person can read: what moved, by how much, against what, how unusual. */
export function narrate(
  metricLabel: string,
  subject: string,
  day: string,
  change: Change,
  windowDays: number,
): string {
  const verb = change.direction === 'up' ? 'rose' : 'fell';
  const pct =
    change.relativeEffect === null
      ? ''
      : `, ${Math.round(change.relativeEffect * 100)}% ${change.direction === 'up' ? 'above' : 'below'} the expected ${fmt(change.expected)}`;
  return `${metricLabel} of ${subject} ${verb} to ${fmt(change.observed)} on ${day}${pct} (median of the previous ${windowDays} days; robust z = ${change.score.toFixed(1)}).`;
}
