import { pathCount, pathTotals } from './path-table';
import { toChannelCredits, type ChannelCredits, type PathTable } from './types';

/**
 * Simplified Shapley value (Zhao, Mahboobi & Bagheri, 2018, "Shapley Value Methods for Attribution
 * Modeling in Online Advertising", eq. for the simplified Shapley value):
 *
 *   phi_j = sum over channel sets S containing j of R(S) / |S|
 *
 * where R(S) is the conversions (or value) of converting paths whose set of distinct channels is exactly
 * S. Each conversion is split equally among the distinct channels of its path. It equals the exact
 * Shapley value of the game v(S) = conversions of paths whose channel set is a subset of S.
 */
export function simplifiedShapleyCredits(table: PathTable): ChannelCredits {
  const channelCount = table.channels.length;
  const conversionCredit = new Float64Array(channelCount);
  const valueCredit = new Float64Array(channelCount);
  const seen = new Int32Array(channelCount).fill(-1);
  const { offsets, touches } = table;
  const distinct = new Int32Array(channelCount);
  for (let i = 0; i < pathCount(table); i++) {
    const conversions = table.conversions[i];
    if (conversions === 0) continue;
    let size = 0;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) {
      const c = touches[t];
      if (seen[c] !== i) {
        seen[c] = i;
        distinct[size++] = c;
      }
    }
    const conversionShare = conversions / size;
    const valueShare = table.value[i] / size;
    for (let k = 0; k < size; k++) {
      conversionCredit[distinct[k]] += conversionShare;
      valueCredit[distinct[k]] += valueShare;
    }
  }
  return toChannelCredits(table.channels, conversionCredit, valueCredit);
}

export const EXACT_SHAPLEY_MAX_CHANNELS = 15;

/**
 * Worth of a coalition S of channels, over the paths whose set of distinct channels is a subset of S:
 * - `conversions`: their conversions (their value for the value credits);
 * - `conversion_rate`: their conversions (value) divided by their number of journeys
 *   (conversions + nulls); 0 when there is none.
 */
export type ShapleyWorth = 'conversions' | 'conversion_rate';

/**
 * Exact Shapley value of the channel game by enumerating all 2^n coalitions (n channels that appear
 * in the paths used; at most {@link EXACT_SHAPLEY_MAX_CHANNELS}):
 *
 *   phi_j = sum over S not containing j of |S|! (n - |S| - 1)! / n! * (v(S u {j}) - v(S))
 *
 * Shapley values sum to v(all channels); credits are rescaled so they sum to the total conversions
 * (and value). With `conversion_rate` a channel's credit can be negative. Channels outside the game
 * get 0.
 */
export function exactShapleyCredits(
  table: PathTable,
  options: { worth?: ShapleyWorth } = {},
): ChannelCredits {
  const worth = options.worth ?? 'conversions';
  const usesNulls = worth === 'conversion_rate';
  const players: number[] = [];
  const playerOf = new Int32Array(table.channels.length).fill(-1);
  const { offsets, touches } = table;
  const included = (i: number) => table.conversions[i] > 0 || (usesNulls && table.nulls[i] > 0);
  for (let i = 0; i < pathCount(table); i++) {
    if (!included(i)) continue;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) {
      if (playerOf[touches[t]] < 0) {
        playerOf[touches[t]] = players.length;
        players.push(touches[t]);
      }
    }
  }
  const n = players.length;
  if (n > EXACT_SHAPLEY_MAX_CHANNELS) {
    throw new Error(
      `exact Shapley supports at most ${EXACT_SHAPLEY_MAX_CHANNELS} channels, the paths have ${n}; use the simplified Shapley value`,
    );
  }
  const coalitions = 1 << n;
  // Conversions, value and journeys of paths whose channel set is exactly the mask ...
  const conversions = new Float64Array(coalitions);
  const value = new Float64Array(coalitions);
  const journeys = new Float64Array(coalitions);
  for (let i = 0; i < pathCount(table); i++) {
    if (!included(i)) continue;
    let mask = 0;
    for (let t = offsets[i]; t < offsets[i + 1]; t++) mask |= 1 << playerOf[touches[t]];
    conversions[mask] += table.conversions[i];
    value[mask] += table.value[i];
    journeys[mask] += table.conversions[i] + table.nulls[i];
  }
  // ... then summed over subsets (zeta transform): totals of paths whose channel set is within the mask.
  for (let bit = 0; bit < n; bit++) {
    for (let mask = 0; mask < coalitions; mask++) {
      if (mask & (1 << bit)) {
        conversions[mask] += conversions[mask ^ (1 << bit)];
        value[mask] += value[mask ^ (1 << bit)];
        journeys[mask] += journeys[mask ^ (1 << bit)];
      }
    }
  }
  const conversionGame = usesNulls
    ? conversions.map((c, m) => (journeys[m] > 0 ? c / journeys[m] : 0))
    : conversions;
  const valueGame = usesNulls ? value.map((v, m) => (journeys[m] > 0 ? v / journeys[m] : 0)) : value;
  const weightBySize = coalitionWeights(n);
  const conversionPhi = new Float64Array(n);
  const valuePhi = new Float64Array(n);
  for (let mask = 0; mask < coalitions; mask++) {
    const weight = weightBySize[popCount(mask)];
    for (let j = 0; j < n; j++) {
      if (mask & (1 << j)) continue;
      conversionPhi[j] += weight * (conversionGame[mask | (1 << j)] - conversionGame[mask]);
      valuePhi[j] += weight * (valueGame[mask | (1 << j)] - valueGame[mask]);
    }
  }
  const totals = pathTotals(table);
  const grand = coalitions - 1;
  const conversionScale =
    n > 0 && conversionGame[grand] !== 0 ? totals.conversions / conversionGame[grand] : 0;
  const valueScale = n > 0 && valueGame[grand] !== 0 ? totals.value / valueGame[grand] : 0;
  const conversionCredit = new Float64Array(table.channels.length);
  const valueCredit = new Float64Array(table.channels.length);
  players.forEach((channel, j) => {
    conversionCredit[channel] = conversionPhi[j] * conversionScale;
    valueCredit[channel] = valuePhi[j] * valueScale;
  });
  return toChannelCredits(table.channels, conversionCredit, valueCredit);
}

/** weight[s] = s! (n - s - 1)! / n!, for coalitions of size s not containing the player. */
function coalitionWeights(n: number): Float64Array {
  const weights = new Float64Array(Math.max(n, 1));
  for (let s = 0; s < n; s++) {
    // 1 / (n * C(n - 1, s))
    let binomial = 1;
    for (let k = 1; k <= s; k++) binomial = (binomial * (n - s - 1 + k)) / k;
    weights[s] = 1 / (n * binomial);
  }
  return weights;
}

function popCount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}
