import { sampleSd, mean } from './numeric';

/**
 * Demand classes. Syntetos, Boylan and Croston (2005), "On the categorization of demand patterns",
 * JORS 56(5): the average inter-demand interval (ADI) and the squared coefficient of variation of
 * the non-zero demand sizes (CV^2), with cut-offs 1.32 and 0.49, split demand into smooth (regular,
 * stable sizes), erratic (regular, variable sizes), intermittent (sporadic, stable sizes) and lumpy
 * (sporadic, variable sizes). Two operational classes come first: "inactive" (no demand at all, or
 * none in the most recent window) and "new" (too little history since the first demand).
 */
export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy' | 'new' | 'inactive';

export interface ClassificationOptions {
  /** ADI cut-off (default 1.32). */
  adiCutoff?: number;
  /** CV^2 cut-off (default 0.49). */
  cv2Cutoff?: number;
  /** Fewer periods than this since the first demand make a series "new" (default max(3 m, 10)). */
  minHistory?: number;
  /** No demand in this many most recent periods makes a series "inactive" (default max(4 m, 12)). */
  inactiveWindow?: number;
}

export interface Classification {
  demandClass: DemandClass;
  /** Periods from the first demand to the end divided by the number of periods with demand. */
  adi: number;
  /** Squared coefficient of variation (sample sd) of the non-zero demand sizes; NaN with one demand. */
  cv2: number;
  /** Length after trimming the leading zeros. */
  activeLength: number;
  nonZeroCount: number;
}

export function defaultMinHistory(season: number): number {
  return Math.max(3 * season, 10);
}

export function defaultInactiveWindow(season: number): number {
  return Math.max(4 * season, 12);
}

export function classifyDemand(
  values: readonly number[],
  season: number,
  options: ClassificationOptions = {},
): Classification {
  const adiCutoff = options.adiCutoff ?? 1.32;
  const cv2Cutoff = options.cv2Cutoff ?? 0.49;
  const minHistory = options.minHistory ?? defaultMinHistory(season);
  const inactiveWindow = options.inactiveWindow ?? defaultInactiveWindow(season);
  const first = values.findIndex((v) => v > 0);
  const active = first < 0 ? [] : values.slice(first);
  const sizes = active.filter((v) => v > 0);
  const adi = sizes.length === 0 ? Infinity : active.length / sizes.length;
  const cv2 = sizes.length < 2 ? NaN : (sampleSd(sizes) / mean(sizes)) ** 2;
  const base = { adi, cv2, activeLength: active.length, nonZeroCount: sizes.length };
  const recent = values.slice(Math.max(0, values.length - inactiveWindow));
  if (sizes.length === 0 || (values.length > inactiveWindow && recent.every((v) => v === 0))) {
    return { ...base, demandClass: 'inactive' };
  }
  if (active.length < minHistory) return { ...base, demandClass: 'new' };
  const sporadic = adi >= adiCutoff;
  const variable = (Number.isNaN(cv2) ? 0 : cv2) >= cv2Cutoff;
  const demandClass: DemandClass = sporadic
    ? variable
      ? 'lumpy'
      : 'intermittent'
    : variable
      ? 'erratic'
      : 'smooth';
  return { ...base, demandClass };
}
