import fc from 'fast-check';
import fixtures from '../__fixtures__/r-forecast.json';
import { fitSes } from './exponential-smoothing';
import { adidaMethod, crostonForecast, crostonMethod, sbaMethod, tsbMethod } from './intermittent';
import { naive2Method, naiveMethod, seasonalNaiveMethod } from './naive';
import { thetaMethod } from './theta';

const context = (horizon: number, season: number) => ({ horizon, season, levels: [80, 95], seed: 1 });
const series = Object.entries(fixtures.series) as [string, (typeof fixtures.series)['AirPassengers']][];

function expectRelativelyClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i]) / Math.max(1, Math.abs(expected[i]))).toBeLessThan(tolerance),
  );
}

// Golden values from R forecast's thetaf, ses and croston (tools/make-fixtures.R); same
// arithmetic, so 1e-6 relative leaves only room for rounding.
describe('Theta against R forecast::thetaf', () => {
  it.each(series)('%s', (_name, s) => {
    const result = thetaMethod(s.y, context(s.horizon, s.frequency));
    expectRelativelyClose(result.mean, s.theta.mean, 1e-6);
    expectRelativelyClose(result.intervals!['80'].lower, s.theta.lower80, 1e-6);
    expectRelativelyClose(result.intervals!['95'].upper, s.theta.upper95, 1e-6);
  });
});

describe('SES against R forecast::ses', () => {
  it.each(series)('%s', (_name, s) => {
    const { fit, mean } = fitSes(s.y, context(s.horizon, 1));
    expect(fit.params.alpha).toBeCloseTo(s.ses.alpha, 5);
    expect(Math.abs(fit.initialState[0] - s.ses.level0) / Math.abs(s.ses.level0)).toBeLessThan(1e-6);
    expectRelativelyClose(mean, s.ses.mean, 1e-6);
  });
});

describe('Croston family', () => {
  it('matches R forecast::croston for alpha 0.1 and 0.3', () => {
    expect(crostonForecast(fixtures.croston.y, 0.1)).toBeCloseTo(fixtures.croston.alpha01[0], 10);
    expect(crostonForecast(fixtures.croston.y, 0.3)).toBeCloseTo(fixtures.croston.alpha03[0], 10);
  });

  it('SBA is (1 - alpha/2) x Croston', () => {
    const demand = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })), {
      minLength: 2,
      maxLength: 60,
    });
    fc.assert(
      fc.property(demand, (values) => {
        const croston = crostonMethod(0.1)(values, context(3, 1)).mean;
        const sba = sbaMethod(0.1)(values, context(3, 1)).mean;
        sba.forEach((v, i) => expect(v).toBeCloseTo(0.95 * croston[i], 10));
      }),
    );
  });

  it('forecasts 0 without any demand', () => {
    for (const method of [crostonMethod(), sbaMethod(), tsbMethod, adidaMethod]) {
      expect(method([0, 0, 0, 0], context(2, 1)).mean).toEqual([0, 0]);
    }
  });

  it('TSB on demand every period forecasts the smoothed size (worked by hand)', () => {
    // p stays 1; with a constant size 4 the size stays 4 whatever alpha: forecast 4.
    expect(tsbMethod([4, 4, 4, 4, 4, 4], context(2, 1)).mean).toEqual([4, 4]);
  });

  it('ADIDA aggregates into buckets of the mean inter-demand interval (worked by hand)', () => {
    // Demand every second period, size 6: ADI 2, buckets (from the end) all total 6, SES of a
    // constant is that constant, spread over 2 periods: 3 per period.
    const result = adidaMethod([6, 0, 6, 0, 6, 0, 6, 0], context(4, 1));
    expect(result.mean).toEqual([3, 3, 3, 3]);
    expect(result.model).toBe('ADIDA(bucket=2)');
  });
});

describe('naive methods', () => {
  it('naive repeats the last value; seasonal naive the last season', () => {
    expect(naiveMethod([1, 2, 3], context(2, 1)).mean).toEqual([3, 3]);
    expect(seasonalNaiveMethod([1, 2, 3, 4, 5, 6], context(4, 3)).mean).toEqual([4, 5, 6, 4]);
  });

  it('Naive2 reseasonalises the naive forecast of seasonal data', () => {
    const y = fixtures.series.AirPassengers.y;
    const mean = naive2Method(y, context(12, 12)).mean;
    // Seasonal (AirPassengers' lag-12 autocorrelation is strong): the forecasts vary over the year.
    expect(new Set(mean.map((v) => v.toFixed(6))).size).toBe(12);
    expect(naive2Method(y, context(3, 1)).mean).toEqual([432, 432, 432]);
  });
});
