import { pathTableFromRecords } from './path-table';
import { EXACT_SHAPLEY_MAX_CHANNELS, exactShapleyCredits, simplifiedShapleyCredits } from './shapley';
import type { PathRecord } from './types';

const rec = (path: string, conversions: number, nulls: number, value = conversions): PathRecord => ({
  channels: path.split('>'),
  conversions,
  value,
  nulls,
});

/** Independent reference: average marginal contribution over all n! orderings of the players. */
function shapleyByPermutations(
  players: string[],
  worth: (coalition: Set<string>) => number,
): Record<string, number> {
  const phi: Record<string, number> = Object.fromEntries(players.map((p) => [p, 0]));
  let orderings = 0;
  const permute = (prefix: string[], rest: string[]) => {
    if (rest.length === 0) {
      orderings++;
      const coalition = new Set<string>();
      for (const player of prefix) {
        const before = worth(coalition);
        coalition.add(player);
        phi[player] += worth(coalition) - before;
      }
      return;
    }
    rest.forEach((player, i) => permute([...prefix, player], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], players);
  for (const p of players) phi[p] /= orderings;
  return phi;
}

const records = [
  rec('a', 10, 30, 100),
  rec('a>b', 6, 10, 90),
  rec('b>c>b', 3, 20, 12),
  rec('c', 2, 50, 8),
  rec('a>d>c', 4, 6, 44),
  rec('d', 0, 40),
];
const channelSet = (r: PathRecord) => new Set(r.channels);
const within = (coalition: Set<string>) =>
  records.filter((r) => [...channelSet(r)].every((c) => coalition.has(c)));
const sum = (rs: PathRecord[], f: (r: PathRecord) => number) => rs.reduce((s, r) => s + f(r), 0);

describe('simplifiedShapleyCredits', () => {
  it('splits each conversion equally among the distinct channels of its path (Zhao et al. 2018)', () => {
    const credits = simplifiedShapleyCredits(
      pathTableFromRecords([rec('a', 10, 3, 100), rec('a>b>a', 6, 1, 60)]),
    );
    expect(credits).toEqual({ a: { conversions: 13, value: 130 }, b: { conversions: 3, value: 30 } });
  });

  it('equals the Shapley value of v(S) = conversions of paths within S, enumerated over all orderings', () => {
    const players = ['a', 'b', 'c', 'd'];
    const conversions = shapleyByPermutations(players, (s) => sum(within(s), (r) => r.conversions));
    const value = shapleyByPermutations(players, (s) => sum(within(s), (r) => r.value));
    const credits = simplifiedShapleyCredits(pathTableFromRecords(records));
    for (const p of players) {
      expect(credits[p].conversions).toBeCloseTo(conversions[p], 12);
      expect(credits[p].value).toBeCloseTo(value[p], 12);
    }
  });
});

describe('exactShapleyCredits', () => {
  const table = pathTableFromRecords(records);
  const players = ['a', 'b', 'c', 'd'];

  it('with worth = conversions, equals enumeration over orderings and the simplified value', () => {
    const reference = shapleyByPermutations(players, (s) => sum(within(s), (r) => r.conversions));
    const exact = exactShapleyCredits(table);
    const simplified = simplifiedShapleyCredits(table);
    for (const p of players) {
      expect(exact[p].conversions).toBeCloseTo(reference[p], 12);
      expect(exact[p].value).toBeCloseTo(simplified[p].value, 12);
    }
  });

  it('with worth = conversion rate, equals enumeration, rescaled to the total conversions and value', () => {
    const rate = (s: Set<string>, f: (r: PathRecord) => number) => {
      const rs = within(s);
      const journeys = sum(rs, (r) => r.conversions + r.nulls);
      return journeys > 0 ? sum(rs, f) / journeys : 0;
    };
    const all = new Set(players);
    const conversions = shapleyByPermutations(players, (s) => rate(s, (r) => r.conversions));
    const value = shapleyByPermutations(players, (s) => rate(s, (r) => r.value));
    const totalConversions = sum(records, (r) => r.conversions);
    const totalValue = sum(records, (r) => r.value);
    const exact = exactShapleyCredits(table, { worth: 'conversion_rate' });
    for (const p of players) {
      expect(exact[p].conversions).toBeCloseTo(
        (conversions[p] * totalConversions) / rate(all, (r) => r.conversions),
        10,
      );
      expect(exact[p].value).toBeCloseTo((value[p] * totalValue) / rate(all, (r) => r.value), 10);
    }
  });

  it(`refuses more than ${EXACT_SHAPLEY_MAX_CHANNELS} channels`, () => {
    const many = pathTableFromRecords([rec(Array.from({ length: 16 }, (_, i) => `c${i}`).join('>'), 1, 0)]);
    expect(() => exactShapleyCredits(many)).toThrow(
      'exact Shapley supports at most 15 channels, the paths have 16',
    );
  });
});
