import { markovCredits } from './markov';
import { aggregatePaths, pathTableFromRecords } from './path-table';
import { simulateJourneys } from './simulate-journeys';
import type { PathRecord } from './types';

const rec = (path: string, conversions: number, nulls: number, value = conversions): PathRecord => ({
  channels: path.split('>'),
  conversions,
  value,
  nulls,
});

/**
 * Independent reference: the same chain built with strings and objects, conversion probability found by
 * pushing probability mass forward (distribution after n steps) instead of solving backwards.
 */
function forwardReference(records: PathRecord[], order: number, collapse = true) {
  const walks = records.map((r) => {
    const width = Math.min(order, r.channels.length);
    const states: string[] = [];
    for (let j = 0; j + width <= r.channels.length; j++) {
      const state = r.channels.slice(j, j + width).join('>');
      if (!collapse || states[states.length - 1] !== state) states.push(state);
    }
    return { states, record: r };
  });
  const counts = new Map<string, Map<string, number>>();
  const add = (from: string, to: string, w: number) => {
    if (w === 0) return;
    const row = counts.get(from) ?? new Map<string, number>();
    row.set(to, (row.get(to) ?? 0) + w);
    counts.set(from, row);
  };
  const valueAtEnd = new Map<string, { value: number; conversions: number }>();
  for (const { states, record } of walks) {
    const w = record.conversions + record.nulls;
    let from = '(start)';
    for (const s of states) {
      add(from, s, w);
      from = s;
    }
    add(from, '(conversion)', record.conversions);
    add(from, '(null)', record.nulls);
    const v = valueAtEnd.get(from) ?? { value: 0, conversions: 0 };
    v.value += record.value;
    v.conversions += record.conversions;
    valueAtEnd.set(from, v);
  }
  const absorb = (removed: (state: string) => boolean) => {
    let mass = new Map<string, number>([['(start)', 1]]);
    let converted = 0;
    let value = 0;
    for (let step = 0; step < 5000 && mass.size > 0; step++) {
      const next = new Map<string, number>();
      for (const [state, m] of mass) {
        const row = counts.get(state)!;
        const total = [...row.values()].reduce((a, b) => a + b, 0);
        for (const [to, c] of row) {
          const flow = (m * c) / total;
          if (to === '(conversion)') {
            converted += flow;
            const v = valueAtEnd.get(state)!;
            value += (flow * v.value) / v.conversions;
          } else if (to !== '(null)' && !removed(to)) next.set(to, (next.get(to) ?? 0) + flow);
        }
      }
      mass = new Map([...next].filter(([, m]) => m > 1e-300));
    }
    return { converted, value };
  };
  const channels = [...new Set(records.flatMap((r) => r.channels))];
  const base = absorb(() => false);
  const removal = Object.fromEntries(
    channels.map((c) => {
      const without = absorb((state) => state.split('>').includes(c));
      return [
        c,
        { conversions: 1 - without.converted / base.converted, value: 1 - without.value / base.value },
      ];
    }),
  );
  return { conversionProbability: base.converted, expectedValue: base.value, removal };
}

describe('markovCredits', () => {
  it('reproduces the classic three-path example (C1>C2>C3 converts, C1 and C2>C3 do not)', () => {
    // Published (Anderl et al. style walk-through, e.g. analyzecore.com 2016): P(conversion) = 1/3,
    // removal effects C1 0.5, C2 1, C3 1, credits 0.2 / 0.4 / 0.4 of one conversion.
    const table = pathTableFromRecords([rec('C1>C2>C3', 1, 0, 10), rec('C1', 0, 1), rec('C2>C3', 0, 1)]);
    const result = markovCredits(table);
    expect(result.conversionProbability).toBeCloseTo(1 / 3, 14);
    expect(result.removalEffects.C1.conversions).toBeCloseTo(0.5, 14);
    expect(result.removalEffects.C2.conversions).toBeCloseTo(1, 14);
    expect(result.removalEffects.C3.conversions).toBeCloseTo(1, 14);
    expect(result.credits.C1).toEqual({ conversions: expect.closeTo(0.2, 14), value: expect.closeTo(2, 13) });
    expect(result.credits.C2.conversions).toBeCloseTo(0.4, 14);
    expect(result.credits.C3.value).toBeCloseTo(4, 13);
  });

  it('returns the transition matrix of the classic three-path example when asked', () => {
    // The same walk-through's matrix: (start)->C1 2/3, (start)->C2 1/3, C1->C2 1/2, C1->(null) 1/2,
    // C2->C3 1, C3->(conversion) 1/2, C3->(null) 1/2.
    const table = pathTableFromRecords([rec('C1>C2>C3', 1, 0, 10), rec('C1', 0, 1), rec('C2>C3', 0, 1)]);
    expect(markovCredits(table).transitions).toBeUndefined();
    const matrix = markovCredits(table, { includeTransitions: true }).transitions!;
    const probability = Object.fromEntries(matrix.map((t) => [`${t.from}|${t.to}`, t.probability]));
    expect(Object.keys(probability).sort()).toEqual(
      ['(start)|C1', '(start)|C2', 'C1|C2', 'C1|(null)', 'C2|C3', 'C3|(conversion)', 'C3|(null)'].sort(),
    );
    expect(probability['(start)|C1']).toBeCloseTo(2 / 3, 14);
    expect(probability['(start)|C2']).toBeCloseTo(1 / 3, 14);
    expect(probability['C1|C2']).toBeCloseTo(0.5, 14);
    expect(probability['C1|(null)']).toBeCloseTo(0.5, 14);
    expect(probability['C2|C3']).toBeCloseTo(1, 14);
    expect(probability['C3|(conversion)']).toBeCloseTo(0.5, 14);
    expect(probability['C3|(null)']).toBeCloseTo(0.5, 14);
  });

  it("matches pychattr's README example (ChannelAttribution port): A about 2, B about 1 of 3 conversions", () => {
    // Paths A>B>A>B>B>A, A>B>B>A>A, A>A, one conversion each, no nulls; pychattr's simulation gives
    // A 1.991, B 1.009. By hand: repeats collapse, P(A -> B) = 1/2, so RE_A = 1, RE_B = 1/2: A 2, B 1.
    const table = pathTableFromRecords([rec('A>B>A>B>B>A', 1, 0), rec('A>B>B>A>A', 1, 0), rec('A>A', 1, 0)]);
    const { credits } = markovCredits(table, { useNulls: false });
    expect(credits.A.conversions).toBeCloseTo(2, 13);
    expect(credits.B.conversions).toBeCloseTo(1, 13);
  });

  it('order 2 by hand: states are pairs of consecutive channels', () => {
    // a>b>c converts once, b>c does not: (start)->(a,b) 1/2, (start)->(b,c) 1/2, (a,b)->(b,c) 1,
    // (b,c)->conversion 1/2. P = 1/2. Removing a (state (a,b)) leaves 1/4: RE 1/2; b and c: RE 1.
    const table = pathTableFromRecords([rec('a>b>c', 1, 0), rec('b>c', 0, 1)]);
    const result = markovCredits(table, { order: 2 });
    expect(result.stateCount).toBe(3);
    expect(result.conversionProbability).toBeCloseTo(0.5, 14);
    expect(result.credits.a.conversions).toBeCloseTo(0.2, 14);
    expect(result.credits.b.conversions).toBeCloseTo(0.4, 14);
    expect(result.credits.c.conversions).toBeCloseTo(0.4, 14);
  });

  it('order 3 by hand: a path shorter than the order is one state (ChannelAttribution)', () => {
    // a>b (1 conversion) is the state (a,b); a>b>c (1 conversion, 1 null) is (a,b,c).
    // P = 1/3 * 1 + 2/3 * 1/2 = 2/3; removing c leaves 1/3: RE_c = 1/2, RE_a = RE_b = 1.
    const table = pathTableFromRecords([rec('a>b', 1, 0), rec('a>b>c', 1, 1)]);
    const result = markovCredits(table, { order: 3 });
    expect(result.conversionProbability).toBeCloseTo(2 / 3, 14);
    expect(result.removalEffects.c.conversions).toBeCloseTo(0.5, 14);
    expect(result.credits.a.conversions).toBeCloseTo(0.8, 14);
    expect(result.credits.b.conversions).toBeCloseTo(0.8, 14);
    expect(result.credits.c.conversions).toBeCloseTo(0.4, 14);
  });

  it('keeps repeated channels when asked (self-loops do not change order-1 removal effects)', () => {
    const records = [rec('a>a>b', 2, 3, 20), rec('b>b>b>c', 1, 4, 5), rec('c>a', 1, 1, 8)];
    const collapsed = markovCredits(pathTableFromRecords(records));
    const kept = markovCredits(pathTableFromRecords(records), { collapseRepeats: false });
    expect(kept.stateCount).toBe(collapsed.stateCount);
    expect(kept.transitionCount).toBeGreaterThan(collapsed.transitionCount);
    for (const c of ['a', 'b', 'c'])
      expect(kept.credits[c].conversions).toBeCloseTo(collapsed.credits[c].conversions, 12);
  });

  it('weights value credits by the mean conversion value of the last state (ChannelAttribution)', () => {
    // a>b converts twice for 100 in total, b converts once for 10, a never converts alone.
    const table = pathTableFromRecords([rec('a>b', 2, 4, 100), rec('b', 1, 2, 10), rec('a', 0, 3)]);
    const result = markovCredits(table);
    // P(a->b) = 6/9, P(b->conv) = 3/9 (b ends 9 walks, 3 convert), start->a 9/12, start->b 3/12.
    const pConv = (9 / 12) * (6 / 9) * (3 / 9) + (3 / 12) * (3 / 9);
    expect(result.conversionProbability).toBeCloseTo(pConv, 14);
    // Mean value of conversions ending in b: 110 / 3. Removing a leaves start->b only.
    expect(result.expectedValue).toBeCloseTo((pConv * 110) / 3, 12);
    expect(result.removalEffects.a.conversions).toBeCloseTo(1 - ((3 / 12) * (3 / 9)) / pConv, 14);
    expect(result.removalEffects.b.conversions).toBeCloseTo(1, 14);
    expect(result.credits.a.value + result.credits.b.value).toBeCloseTo(110, 10);
  });

  it.each([1, 2, 3])(
    'agrees with an independent forward computation at order %i (with and without nulls)',
    (order) => {
      const records = [
        rec('a>b>c', 3, 5, 31),
        rec('a>a>c>b', 1, 2, 9),
        rec('b>c>a>b', 2, 1, 12),
        rec('c', 1, 6, 4),
        rec('b>a', 0, 4),
        rec('a>c>c>c>b>a', 1, 0, 3),
        rec('c>b>a>c', 0, 2),
      ];
      for (const useNulls of [true, false]) {
        const usable = records
          .filter((r) => r.conversions > 0 || useNulls)
          .map((r) => (useNulls ? r : { ...r, nulls: 0 }));
        const reference = forwardReference(usable, order);
        const result = markovCredits(pathTableFromRecords(records), { order, useNulls });
        expect(result.conversionProbability).toBeCloseTo(reference.conversionProbability, 12);
        expect(result.expectedValue).toBeCloseTo(reference.expectedValue, 11);
        for (const c of ['a', 'b', 'c']) {
          expect(result.removalEffects[c].conversions).toBeCloseTo(reference.removal[c].conversions, 11);
          expect(result.removalEffects[c].value).toBeCloseTo(reference.removal[c].value, 11);
        }
      }
    },
  );

  it('solves large chains iteratively to the same answer as the direct solve', () => {
    const table = simulateJourneys({ journeys: 3000, channels: 6, seed: 11, conversionRate: 0.2 });
    const dense = markovCredits(table, { order: 3, solver: 'dense' });
    const iterative = markovCredits(table, { order: 3, solver: 'iterative' });
    expect(dense.stateCount).toBeGreaterThan(150);
    expect(iterative.conversionProbability).toBeCloseTo(dense.conversionProbability, 12);
    for (const c of table.channels) {
      expect(iterative.removalEffects[c].conversions).toBeCloseTo(dense.removalEffects[c].conversions, 11);
      expect(iterative.credits[c].value).toBeCloseTo(dense.credits[c].value, 8);
    }
  });

  it('gives the same credits on aggregated paths', () => {
    const table = simulateJourneys({
      journeys: 2000,
      channels: 4,
      seed: 3,
      maxLength: 4,
      conversionRate: 0.1,
    });
    const aggregated = aggregatePaths(table);
    expect(aggregated.conversions.length).toBeLessThan(2000);
    const raw = markovCredits(table, { order: 2 });
    const merged = markovCredits(aggregated, { order: 2 });
    for (const c of table.channels)
      expect(merged.credits[c].conversions).toBeCloseTo(raw.credits[c].conversions, 10);
  });

  it('gives zero credit when nothing converts, and rejects a bad order', () => {
    const table = pathTableFromRecords([rec('a>b', 0, 3)]);
    expect(markovCredits(table).credits).toEqual({
      a: { conversions: 0, value: 0 },
      b: { conversions: 0, value: 0 },
    });
    expect(() => markovCredits(table, { order: 0 })).toThrow('positive integer');
  });
});
