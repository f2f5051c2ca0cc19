import { dLogNormalCdf, erfc, logNormalCdf, normalQuantile } from './special';

// Reference values from scipy.special.erfc, scipy.stats.norm.logcdf / pdf / cdf / ppf.
describe('special functions', () => {
  it('erfc', () => {
    expect(erfc(0.2)).toBeCloseTo(0.7772974107895215, 12);
    expect(erfc(0.7)).toBeCloseTo(0.3221988061625817, 12);
    expect(erfc(-2)).toBeCloseTo(1.9953222650189528, 12);
    expect(erfc(5) / 1.5374597944280347e-12).toBeCloseTo(1, 10);
  });

  it('log of the normal CDF and its derivative, including the far left tail', () => {
    expect(logNormalCdf(-5)).toBeCloseTo(-15.064998393988727, 5);
    expect(logNormalCdf(0.7)).toBeCloseTo(-0.2770239422771313, 6);
    expect(logNormalCdf(-30) / -454.32124395634327 - 1).toBeCloseTo(0, 6);
    expect(dLogNormalCdf(-2)).toBeCloseTo(2.373215532822843, 5);
    expect(dLogNormalCdf(1.5)).toBeCloseTo(0.13878975045885078, 5);
  });

  it('normal quantile', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 9);
    expect(normalQuantile(1e-5)).toBeCloseTo(-4.264890793922825, 9);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 9);
  });
});
