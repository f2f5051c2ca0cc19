import fixtures from './__fixtures__/r-forecast.json';
import { autocorrelations, classicalSeasonal, normalQuantile } from './numeric';

describe('numeric helpers against R', () => {
  it('normal quantiles match qnorm', () => {
    fixtures.qnorm.p.forEach((p, i) => expect(normalQuantile(p)).toBeCloseTo(fixtures.qnorm.q[i], 12));
  });

  it('classical decomposition figures match decompose()', () => {
    const { y, frequency, multiplicativeFigure, additiveFigure } = fixtures.decompose;
    const multiplicative = classicalSeasonal(y, frequency, 'multiplicative').slice(0, frequency);
    const additive = classicalSeasonal(y, frequency, 'additive').slice(0, frequency);
    multiplicative.forEach((v, i) => expect(v).toBeCloseTo(multiplicativeFigure[i], 10));
    additive.forEach((v, i) => expect(v).toBeCloseTo(additiveFigure[i], 8));
  });

  it('autocorrelations match acf()', () => {
    autocorrelations(fixtures.decompose.y, 12).forEach((r, i) =>
      expect(r).toBeCloseTo(fixtures.decompose.acf[i], 12),
    );
  });
});
