/** Credit given to one channel: a share of the conversions and of their value. */
export interface ChannelCredit {
  conversions: number;
  value: number;
}

/** Credits per channel name. Every model's credits sum to the conversions and value it attributes. */
export type ChannelCredits = Record<string, ChannelCredit>;

/** One marketing touch: which channel, and when (milliseconds since the epoch). */
export interface Touchpoint {
  channel: string;
  timestamp: number;
}

/** One conversion with the touches that led to it (in any order: they are sorted by time). */
export interface Conversion {
  touchpoints: readonly Touchpoint[];
  /** Milliseconds since the epoch. */
  conversionTime: number;
  value: number;
}

/** One aggregated path, as in ChannelAttribution's `path;total_conversions;total_conversion_value;total_null`. */
export interface PathRecord {
  channels: readonly string[];
  conversions: number;
  value: number;
  nulls: number;
}

/**
 * Paths in columnar form (typed arrays), the input every model reads.
 * Path `i` is `touches[offsets[i] .. offsets[i + 1])`, each entry an index into `channels`.
 * `touchTimes` (same layout as `touches`) and `endTimes` (per path: conversion or last activity time,
 * milliseconds since the epoch) are present when the paths come from timestamped journeys.
 */
export interface PathTable {
  channels: string[];
  offsets: Uint32Array;
  touches: Uint16Array;
  conversions: Float64Array;
  value: Float64Array;
  nulls: Float64Array;
  touchTimes?: Float64Array;
  endTimes?: Float64Array;
}

/** Credits as two arrays indexed like `PathTable.channels`, turned into a `ChannelCredits` record. */
export function toChannelCredits(
  channels: readonly string[],
  conversions: ArrayLike<number>,
  value: ArrayLike<number>,
): ChannelCredits {
  const credits: ChannelCredits = {};
  channels.forEach((channel, i) => {
    credits[channel] = { conversions: conversions[i], value: value[i] };
  });
  return credits;
}
