import fc from 'fast-check';
import fixtures from './__fixtures__/r-forecast.json';
import { conformalIntervals } from './conformal';
import { forecastDemand } from './demand-forecaster';
import { simulateSkuDemand } from './simulator';
import { ForecastInputError } from './validation';

function expectWidening(intervals: Record<string, { lower: number[]; upper: number[] }>): void {
  for (const band of Object.values(intervals)) {
    for (let i = 1; i < band.upper.length; i++) {
      expect(band.upper[i] - band.lower[i]).toBeGreaterThanOrEqual(
        band.upper[i - 1] - band.lower[i - 1] - 1e-9,
      );
    }
  }
}

describe('forecastDemand', () => {
  it('forecasts a constant series as that constant, with every unbiased method', () => {
    // SBA is left out on purpose: it deflates Croston by (1 - alpha/2) by design.
    const methods = ['auto', 'ets', 'theta', 'snaive', 'croston', 'tsb', 'adida'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 30, max: 80 }),
        fc.constantFrom(...methods),
        (level, length, method) => {
          const result = forecastDemand(new Array<number>(length).fill(level), {
            horizon: 5,
            season: 7,
            method,
          });
          result.forecast.forEach((v) => expect(v).toBeCloseTo(level, 6));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives intervals that widen with the horizon, for any non-seasonal series', () => {
    // Multiplicative seasonal ETS models are left out: their variance follows the seasonal level.
    const series = fc
      .array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 40, maxLength: 70 })
      .map((steps) => {
        let level = 100;
        return steps.map((s) => (level = Math.max(1, level + s)));
      });
    fc.assert(
      fc.property(series, fc.constantFrom('ets', 'theta', 'croston', 'snaive', 'tsb'), (values, method) => {
        const result = forecastDemand(values, { horizon: 8, season: 1, method, nonNegative: false });
        expectWidening(result.intervals);
      }),
      { numRuns: 25 },
    );
  });

  it('gives intervals that widen with the horizon (model-based and conformal)', () => {
    const y = fixtures.series.USAccDeaths.y;
    const ets = forecastDemand(y, { horizon: 24, season: 12, method: 'ets', nonNegative: false });
    expect(ets.intervalSource).toBe('model');
    expectWidening(ets.intervals);
    const croston = forecastDemand(fixtures.croston.y, {
      horizon: 10,
      season: 1,
      method: 'croston',
      nonNegative: false,
    });
    expect(croston.intervalSource).toBe('conformal');
    expectWidening(croston.intervals);
    // Nested levels: the 95% band contains the 80% band.
    croston.intervals['95'].upper.forEach((u, i) =>
      expect(u).toBeGreaterThanOrEqual(croston.intervals['80'].upper[i]),
    );
  });

  it('selects among the class candidates by cross-validated error and reports the scores', () => {
    const result = forecastDemand(fixtures.series.USAccDeaths.y, { horizon: 12, season: 12 });
    expect(['smooth', 'erratic']).toContain(result.class);
    expect(Object.keys(result.selection!.scores).sort()).toEqual(['ets', 'snaive', 'theta']);
    const best = Math.min(...Object.values(result.selection!.scores));
    expect(result.selection!.scores[result.method]).toBe(best);
    expect(result.fallback).toBeUndefined();
  });

  it('scores the ensemble like any candidate when asked, and can be forced', () => {
    const y = fixtures.series.WWWusage.y;
    const result = forecastDemand(y, { horizon: 10, season: 1, ensemble: true });
    expect(Object.keys(result.selection!.scores).sort()).toEqual(['ensemble', 'ets', 'snaive', 'theta']);
    const forced = forecastDemand(y, { horizon: 10, season: 1, method: 'ensemble' });
    expect(forced.method).toBe('ensemble');
    expect(forced.intervalSource).toBe('conformal');
    expect(forced.model).toBe('mean of ets, theta, snaive');
  });

  it.each(['full', 'fixed-form', 'fixed-parameters'] as const)(
    'cross-validates ETS in %s mode and refits it on all the data',
    (etsCrossValidation) => {
      const y = fixtures.series.WWWusage.y;
      const result = forecastDemand(y, { horizon: 10, season: 1, etsCrossValidation });
      expect(Number.isFinite(result.selection!.scores.ets)).toBe(true);
      // Whatever ran at the origins, the final ETS model is R's choice on all the data.
      if (result.method === 'ets') expect(result.model).toBe('ETS(A,Ad,N)');
    },
  );

  it('fits only the most recent maxHistory periods', () => {
    const y = [...new Array<number>(40).fill(1000), ...new Array<number>(40).fill(5)];
    expect(forecastDemand(y, { horizon: 3, season: 1, method: 'ets', maxHistory: 40 }).forecast).toEqual([
      5, 5, 5,
    ]);
  });

  it('uses intermittent methods for intermittent demand', () => {
    const result = forecastDemand(fixtures.croston.y, { horizon: 5, season: 1 });
    expect(['intermittent', 'lumpy']).toContain(result.class);
    expect(['croston', 'sba', 'tsb', 'adida']).toContain(result.method);
  });

  it('records the fallback when the series is too short to cross-validate', () => {
    const result = forecastDemand([5, 6, 7, 5, 6, 7, 5, 6, 7, 6, 5, 7], {
      horizon: 6,
      season: 1,
      classification: { minHistory: 3 },
    });
    expect(result.fallback).toMatch(/too short for cross-validation/);
    expect(result.method).toBe('ets');
    expect(result.forecast).toHaveLength(6);
  });

  it('falls back to naive when nothing fits, and says so', () => {
    const result = forecastDemand([3, 4, 5], {
      horizon: 2,
      season: 1,
      method: 'ets',
      classification: { minHistory: 1 },
    });
    expect(result.method).toBe('naive');
    expect(result.fallback).toMatch(/ets failed.*used naive/);
  });

  it('forecasts new items with naive and inactive ones with zero', () => {
    const skus = simulateSkuDemand({ count: 60, length: 200, seed: 9 });
    const fresh = skus.find((s) => s.intendedClass === 'new')!;
    const gone = skus.find((s) => s.intendedClass === 'inactive')!;
    expect(forecastDemand(fresh.values, { horizon: 7, season: 7 }).method).toBe('naive');
    const inactive = forecastDemand(gone.values, { horizon: 7, season: 7 });
    expect(inactive.method).toBe('zero');
    expect(inactive.forecast).toEqual(new Array(7).fill(0));
  });

  it('rejects bad input with clear errors', () => {
    expect(() => forecastDemand([1, -2, 3], { horizon: 2, season: 1 })).toThrow(/position 1.*negative/);
    expect(() => forecastDemand([1, NaN, 3], { horizon: 2, season: 1 })).toThrow(
      /position 1.*not a finite number/,
    );
    expect(() => forecastDemand([1, 2, 3], { horizon: 0, season: 1 })).toThrow(ForecastInputError);
    expect(() => forecastDemand([1, 2, 3], { horizon: 2, season: 0 })).toThrow(/season/);
    expect(() => forecastDemand([1, 2, 3], { horizon: 2, season: 1, levels: [120] })).toThrow(/levels/);
    expect(() => forecastDemand([], { horizon: 2, season: 1 })).toThrow(/empty/);
  });
});

describe('conformal intervals', () => {
  it('use the ceil((n + 1) level)-th smallest scaled error (worked by hand)', () => {
    // Four one-step errors: scores 1, 2, 3, 4; n = 4; 50% -> rank ceil(2.5) = 3 -> q = 3.
    const intervals = conformalIntervals([10, 10], [[1], [-2], [3], [4]], [50]);
    expect(intervals['50'].lower[0]).toBeCloseTo(7, 12);
    expect(intervals['50'].upper[1]).toBeCloseTo(10 + 3 * Math.SQRT2, 12);
  });
});

describe('SKU simulator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(simulateSkuDemand({ count: 5, length: 100, seed: 1 })).toEqual(
      simulateSkuDemand({ count: 5, length: 100, seed: 1 }),
    );
    expect(simulateSkuDemand({ count: 5, length: 100, seed: 1 })).not.toEqual(
      simulateSkuDemand({ count: 5, length: 100, seed: 2 }),
    );
  });

  it('produces every class, and the classifier mostly recovers the intended one', () => {
    const skus = simulateSkuDemand({ count: 300, length: 400, seed: 5 });
    const classes = new Set(skus.map((s) => s.intendedClass));
    expect(classes.size).toBe(6);
    let agree = 0;
    for (const sku of skus) {
      if (forecastDemand(sku.values, { horizon: 1, season: 7, method: 'naive' }).class === sku.intendedClass)
        agree++;
    }
    expect(agree / skus.length).toBeGreaterThan(0.85);
  });
});
