/**
 * The same maths as @sextant/domain/attribution written plainly over objects (arrays of strings, Maps),
 * the way one would write it first. Only for the benchmark's comparison and cross-check.
 */

export interface Journey {
  channels: string[];
  touchTimes: number[];
  endTime: number;
  conversions: number;
  value: number;
  nulls: number;
}

export type Credits = Map<string, { conversions: number; value: number }>;

const HALF_LIFE_MS = 7 * 86_400_000;

function add(credits: Credits, channel: string, conversions: number, value: number): void {
  const credit = credits.get(channel) ?? { conversions: 0, value: 0 };
  credit.conversions += conversions;
  credit.value += value;
  credits.set(channel, credit);
}

/** First, last, last non-direct, linear, time decay and position based; no direct channel in the data. */
export function baselineRuleBased(journeys: Journey[]): Record<string, Credits> {
  const result: Record<string, Credits> = {
    first_touch: new Map(),
    last_touch: new Map(),
    last_non_direct: new Map(),
    linear: new Map(),
    time_decay: new Map(),
    position_based: new Map(),
  };
  for (const journey of journeys) {
    if (journey.conversions === 0) continue;
    const { channels, conversions, value } = journey;
    const n = channels.length;
    add(result.first_touch, channels[0], conversions, value);
    add(result.last_touch, channels[n - 1], conversions, value);
    const nonDirect = channels.filter((c) => c !== 'direct');
    add(
      result.last_non_direct,
      nonDirect.length > 0 ? nonDirect[nonDirect.length - 1] : channels[n - 1],
      conversions,
      value,
    );
    for (const channel of channels) add(result.linear, channel, conversions / n, value / n);
    const weights = journey.touchTimes.map((t) => Math.pow(2, -(journey.endTime - t) / HALF_LIFE_MS));
    const total = weights.reduce((a, b) => a + b, 0);
    channels.forEach((channel, k) =>
      add(result.time_decay, channel, (conversions * weights[k]) / total, (value * weights[k]) / total),
    );
    channels.forEach((channel, k) => {
      const share = n === 1 ? 1 : n === 2 ? 0.5 : k === 0 || k === n - 1 ? 0.4 : 0.2 / (n - 2);
      add(result.position_based, channel, conversions * share, value * share);
    });
  }
  return result;
}

/** Simplified Shapley: each conversion split equally among the distinct channels of its path. */
export function baselineSimplifiedShapley(journeys: Journey[]): Credits {
  const credits: Credits = new Map();
  for (const journey of journeys) {
    if (journey.conversions === 0) continue;
    const distinct = [...new Set(journey.channels)];
    for (const channel of distinct)
      add(credits, channel, journey.conversions / distinct.length, journey.value / distinct.length);
  }
  return credits;
}

/**
 * First-order Markov removal effects with null paths, repeated channels collapsed: transition counts in
 * nested Maps, each absorption probability found by Jacobi iteration over the Maps to 1e-13.
 */
export function baselineMarkov(journeys: Journey[]): Credits {
  const counts = new Map<string, Map<string, number>>();
  const valueAtEnd = new Map<string, { value: number; conversions: number }>();
  const count = (from: string, to: string, weight: number) => {
    if (weight === 0) return;
    const row = counts.get(from) ?? new Map<string, number>();
    row.set(to, (row.get(to) ?? 0) + weight);
    counts.set(from, row);
  };
  let totalConversions = 0;
  let totalValue = 0;
  for (const journey of journeys) {
    totalConversions += journey.conversions;
    totalValue += journey.value;
    const weight = journey.conversions + journey.nulls;
    if (weight === 0) continue;
    const walk = journey.channels.filter((c, k) => k === 0 || c !== journey.channels[k - 1]);
    let from = '(start)';
    for (const state of walk) {
      count(from, state, weight);
      from = state;
    }
    count(from, '(conversion)', journey.conversions);
    count(from, '(null)', journey.nulls);
    const end = valueAtEnd.get(from) ?? { value: 0, conversions: 0 };
    end.value += journey.value;
    end.conversions += journey.conversions;
    valueAtEnd.set(from, end);
  }
  const probabilities = new Map<string, Map<string, number>>();
  for (const [from, row] of counts) {
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    probabilities.set(from, new Map([...row].map(([to, c]) => [to, c / total])));
  }
  const solve = (removed: string | null) => {
    let x = new Map<string, number>();
    let y = new Map<string, number>();
    for (let iteration = 0; iteration < 100_000; iteration++) {
      const nextX = new Map<string, number>();
      const nextY = new Map<string, number>();
      let change = 0;
      for (const [state, row] of probabilities) {
        if (state === removed) continue;
        let a = 0;
        let b = 0;
        for (const [to, p] of row) {
          if (to === '(conversion)') {
            const end = valueAtEnd.get(state)!;
            a += p;
            b += (p * end.value) / end.conversions;
          } else if (to !== '(null)' && to !== removed) {
            a += p * (x.get(to) ?? 0);
            b += p * (y.get(to) ?? 0);
          }
        }
        change = Math.max(
          change,
          Math.abs(a - (x.get(state) ?? 0)),
          Math.abs(b - (y.get(state) ?? 0)) / Math.max(1, b),
        );
        nextX.set(state, a);
        nextY.set(state, b);
      }
      x = nextX;
      y = nextY;
      if (change <= 1e-13) return { conversion: x.get('(start)') ?? 0, value: y.get('(start)') ?? 0 };
    }
    throw new Error('baseline Markov solve did not converge');
  };
  const full = solve(null);
  const channels = [...probabilities.keys()].filter((s) => s !== '(start)');
  const effects = channels.map((c) => {
    const without = solve(c);
    return {
      channel: c,
      conversions: 1 - without.conversion / full.conversion,
      value: 1 - without.value / full.value,
    };
  });
  const sumConversions = effects.reduce((s, e) => s + e.conversions, 0);
  const sumValue = effects.reduce((s, e) => s + e.value, 0);
  return new Map(
    effects.map((e) => [
      e.channel,
      {
        conversions: (totalConversions * e.conversions) / sumConversions,
        value: (totalValue * e.value) / sumValue,
      },
    ]),
  );
}
