import fixtures from '../__fixtures__/r-forecast.json';
import { autoEts } from './auto-ets';
import { fitEtsModel } from './ets-fit';
import { forecastEts } from './ets-forecast';
import { EtsComponents } from './ets-recursions';

/**
 * Golden values: R 4 / forecast 8.x `ets()` and `forecast.ets()` on R's datasets, written by
 * tools/make-fixtures.R. The port follows R's arithmetic step by step, so agreement is expected
 * to rounding error (observed: 1e-11 relative at worst). The tolerances below (1e-6 relative for
 * criteria, forecasts and interval bounds; 1e-5 absolute for parameters) leave room for
 * floating-point reordering but not for any real difference in model, optimiser or initial states.
 */
interface EtsSummary {
  method: string;
  alpha: number;
  beta?: number | null;
  gamma?: number | null;
  phi?: number | null;
  initialState: number | number[];
  aicc: number;
  sigma2: number;
  mean: number[];
  lower80: number[];
  upper80: number[];
  lower95: number[];
  upper95: number[];
}

function componentsOf(method: string): EtsComponents {
  const match = method.match(/^ETS\(([AM]),([NAM])(d?),([NAM])\)$/);
  if (!match) throw new Error(`bad model name ${method}`);
  return {
    error: match[1] as 'A' | 'M',
    trend: match[2] as 'N' | 'A' | 'M',
    damped: match[3] === 'd',
    season: match[4] as 'N' | 'A' | 'M',
  };
}

function expectClose(actual: number[], expected: number[], relative: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    const scale = Math.max(1, Math.abs(expected[i]));
    expect(Math.abs(value - expected[i]) / scale).toBeLessThan(relative);
  });
}

const series = Object.entries(fixtures.series) as [string, (typeof fixtures.series)['AirPassengers']][];

describe('AutoETS against R forecast::ets', () => {
  it.each(series)('%s: selects the same model with the same AICc and forecasts', (_name, s) => {
    const expected = s.autoEts as EtsSummary;
    const { fit, name } = autoEts(s.y, s.frequency);
    expect(name).toBe(expected.method);
    expect(Math.abs(fit.aicc - expected.aicc) / Math.abs(expected.aicc)).toBeLessThan(1e-6);
    const forecast = forecastEts(fit, s.horizon);
    expectClose(forecast.mean, expected.mean, 1e-6);
    expectClose(forecast.intervals['95'].upper, expected.upper95, 1e-6);
  });
});

describe('single ETS models against R', () => {
  const cases = series.flatMap(([name, s]) =>
    Object.values(s.fixedEts as Record<string, EtsSummary>).map(
      (expected) => [`${name} ${expected.method}`, s, expected] as const,
    ),
  );
  it.each(cases)('%s: parameters, initial states, AICc, forecasts and intervals', (_label, s, expected) => {
    const fit = fitEtsModel(s.y, componentsOf(expected.method), s.frequency);
    expect(fit).toBeDefined();
    if (!fit) return;
    expect(fit.params.alpha).toBeCloseTo(expected.alpha, 5);
    if (expected.beta != null) expect(fit.params.beta).toBeCloseTo(expected.beta, 5);
    if (expected.gamma != null) expect(fit.params.gamma).toBeCloseTo(expected.gamma, 5);
    if (expected.phi != null) expect(fit.params.phi).toBeCloseTo(expected.phi, 5);
    expectClose(fit.initialState, ([] as number[]).concat(expected.initialState), 1e-6);
    expect(Math.abs(fit.aicc - expected.aicc) / Math.abs(expected.aicc)).toBeLessThan(1e-6);
    expect(Math.abs(fit.sigma2 - expected.sigma2) / expected.sigma2).toBeLessThan(1e-6);
    const forecast = forecastEts(fit, s.horizon);
    expect(forecast.intervalMethod).toBe('analytic');
    expectClose(forecast.mean, expected.mean, 1e-6);
    expectClose(forecast.intervals['80'].lower, expected.lower80, 1e-6);
    expectClose(forecast.intervals['80'].upper, expected.upper80, 1e-6);
    expectClose(forecast.intervals['95'].lower, expected.lower95, 1e-6);
    expectClose(forecast.intervals['95'].upper, expected.upper95, 1e-6);
  });
});

describe('AutoETS rules', () => {
  it('never tries multiplicative components on data with zeros', () => {
    const { candidates } = autoEts(fixtures.series.weekly_zeros.y, 7);
    expect(Object.keys(candidates).length).toBeGreaterThan(0);
    for (const name of Object.keys(candidates)) expect(name).not.toMatch(/M/);
  });

  it('considers multiplicative and damped models on positive seasonal data', () => {
    const { candidates } = autoEts(fixtures.series.USAccDeaths.y, 12);
    expect(Object.keys(candidates)).toEqual(
      expect.arrayContaining(['ETS(M,Ad,M)', 'ETS(A,Ad,A)', 'ETS(M,N,M)']),
    );
    expect(Object.keys(candidates)).toHaveLength(15);
  });

  it('simulates seeded intervals for multiplicative-trend models, reproducibly', () => {
    const y = fixtures.series.WWWusage.y;
    const fit = fitEtsModel(y, { error: 'M', trend: 'M', season: 'N', damped: false }, 1);
    expect(fit).toBeDefined();
    const first = forecastEts(fit!, 10, { seed: 7, paths: 500 });
    const again = forecastEts(fit!, 10, { seed: 7, paths: 500 });
    expect(first.intervalMethod).toBe('simulation');
    expect(first.intervals).toEqual(again.intervals);
    first.mean.forEach((mu, i) => {
      expect(first.intervals['95'].lower[i]).toBeLessThan(mu);
      expect(first.intervals['95'].upper[i]).toBeGreaterThan(mu);
    });
  });

  it('refuses series too short to fit', () => {
    expect(() => autoEts([1, 2, 3], 1)).toThrow(/at least/);
  });
});
