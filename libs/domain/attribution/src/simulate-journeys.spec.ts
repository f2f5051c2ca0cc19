import { pathCount, pathTotals } from './path-table';
import { mulberry32, simulateJourneys } from './simulate-journeys';

describe('simulateJourneys', () => {
  const options = { journeys: 20_000, channels: 30, seed: 42 };
  const table = simulateJourneys(options);

  it('is deterministic for a seed and differs across seeds', () => {
    const again = simulateJourneys(options);
    expect(again.touches).toEqual(table.touches);
    expect(again.value).toEqual(table.value);
    expect(simulateJourneys({ ...options, seed: 43 }).touches).not.toEqual(table.touches);
  });

  it('makes journeys of 1..20 touches over the channels, about 3% converting, with values and ordered times', () => {
    expect(pathCount(table)).toBe(20_000);
    expect(table.channels).toHaveLength(30);
    const lengths = new Set<number>();
    const problems: string[] = [];
    for (let i = 0; i < pathCount(table); i++) {
      const length = table.offsets[i + 1] - table.offsets[i];
      lengths.add(length);
      for (let t = table.offsets[i] + 1; t < table.offsets[i + 1]; t++) {
        if (table.touchTimes[t] < table.touchTimes[t - 1])
          problems.push(`journey ${i}: touches out of order`);
      }
      if (table.endTimes[i] < table.touchTimes[table.offsets[i + 1] - 1])
        problems.push(`journey ${i}: ends before its last touch`);
      if (table.conversions[i] + table.nulls[i] !== 1) problems.push(`journey ${i}: not one journey`);
      if (table.value[i] > 0 !== (table.conversions[i] === 1))
        problems.push(`journey ${i}: value without conversion`);
    }
    expect(problems).toEqual([]);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBe(20);
    const totals = pathTotals(table);
    expect(totals.conversions / 20_000).toBeGreaterThan(0.025);
    expect(totals.conversions / 20_000).toBeLessThan(0.035);
    expect(table.touches.reduce((a, b) => Math.max(a, b), 0)).toBe(29);
  });

  it('mulberry32 gives uniform floats in [0, 1)', () => {
    const random = mulberry32(7);
    const draws = Array.from({ length: 10_000 }, random);
    expect(draws.filter((u) => !(u >= 0 && u < 1))).toEqual([]);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(0.5, 1);
  });
});
