import type { PathTable } from './types';

export interface JourneySimulation {
  journeys: number;
  channels: number;
  seed?: number;
  /** Target share of converting journeys. Default 0.03. */
  conversionRate?: number;
  /** Journey lengths are uniform on 1..maxLength. Default 20. */
  maxLength?: number;
  /** Channel names; default `ch01`, `ch02`, ... */
  channelNames?: readonly string[];
}

/** Start of the simulated period: 2026-01-01T00:00:00Z. */
const EPOCH_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

/**
 * Deterministic synthetic journeys for tests and benchmarks (same options, same output).
 *
 * Generating process, per channel c (drawn once): popularity pi_c proportional to 1 / (c + 1)^0.7 and
 * an effect e_c uniform on [0.25, 1.75], rescaled so that sum_c pi_c e_c = 1. Per journey:
 * - length L uniform on 1..maxLength;
 * - first channel drawn from pi; each next touch repeats the previous channel with probability 0.3,
 *   otherwise is drawn from pi;
 * - converts with probability min(1, conversionRate * mean of e over its touches), so about
 *   `conversionRate` of journeys convert; a converting journey has value exp(N(3.5, 0.8)) rounded to
 *   cents (mean about 45), others have value 0 and count as one null;
 * - first touch at a uniform time in 90 days from 2026-01-01, gaps between touches exponential with a
 *   mean of 1 day, conversion (or last activity) an exponential time with a mean of 2 hours after the
 *   last touch.
 * PRNG: mulberry32 seeded with `seed` (default 1), Box-Muller for normals.
 * Each journey is one row of the table (conversions 0 or 1, nulls 1 - conversions), with timestamps.
 */
export function simulateJourneys(
  options: JourneySimulation,
): PathTable & { touchTimes: Float64Array; endTimes: Float64Array } {
  const { journeys, channels } = options;
  const conversionRate = options.conversionRate ?? 0.03;
  const maxLength = options.maxLength ?? 20;
  if (!Number.isInteger(journeys) || journeys < 0)
    throw new Error(`journeys must be a non-negative integer, got ${journeys}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > 65_535)
    throw new Error(`channels must be in 1..65535, got ${channels}`);
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw new Error(`maxLength must be a positive integer, got ${maxLength}`);
  const names = options.channelNames
    ? [...options.channelNames]
    : Array.from({ length: channels }, (_, c) => `ch${String(c + 1).padStart(2, '0')}`);
  if (names.length !== channels) throw new Error(`expected ${channels} channel names, got ${names.length}`);
  const random = mulberry32(options.seed ?? 1);

  const popularity = Float64Array.from({ length: channels }, (_, c) => 1 / Math.pow(c + 1, 0.7));
  const popularityTotal = popularity.reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(channels);
  let running = 0;
  for (let c = 0; c < channels; c++) {
    popularity[c] /= popularityTotal;
    running += popularity[c];
    cumulative[c] = running;
  }
  const effect = Float64Array.from({ length: channels }, () => 0.25 + 1.5 * random());
  const meanEffect = effect.reduce((sum, e, c) => sum + e * popularity[c], 0);
  for (let c = 0; c < channels; c++) effect[c] /= meanEffect;

  const drawChannel = (): number => {
    const u = random() * running;
    let lo = 0;
    let hi = channels - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const exponential = (mean: number): number => -mean * Math.log(1 - random());

  const lengths = new Uint16Array(journeys);
  let touchCount = 0;
  for (let i = 0; i < journeys; i++) {
    lengths[i] = 1 + Math.floor(random() * maxLength);
    touchCount += lengths[i];
  }
  const offsets = new Uint32Array(journeys + 1);
  const touches = new Uint16Array(touchCount);
  const touchTimes = new Float64Array(touchCount);
  const endTimes = new Float64Array(journeys);
  const conversions = new Float64Array(journeys);
  const value = new Float64Array(journeys);
  const nulls = new Float64Array(journeys);
  let at = 0;
  for (let i = 0; i < journeys; i++) {
    let time = EPOCH_MS + random() * 90 * DAY_MS;
    let previous = -1;
    let effectSum = 0;
    for (let k = 0; k < lengths[i]; k++) {
      const channel = previous >= 0 && random() < 0.3 ? previous : drawChannel();
      touches[at] = channel;
      touchTimes[at] = time;
      at++;
      effectSum += effect[channel];
      previous = channel;
      time += exponential(DAY_MS);
    }
    offsets[i + 1] = at;
    endTimes[i] = touchTimes[at - 1] + exponential(DAY_MS / 12);
    const converts = random() < Math.min(1, (conversionRate * effectSum) / lengths[i]);
    conversions[i] = converts ? 1 : 0;
    nulls[i] = converts ? 0 : 1;
    value[i] = converts ? Math.round(Math.exp(3.5 + 0.8 * normal()) * 100) / 100 : 0;
  }
  return { channels: names, offsets, touches, conversions, value, nulls, touchTimes, endTimes };
}

/** mulberry32: a small, fast 32-bit PRNG with a full 2^32 period; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
