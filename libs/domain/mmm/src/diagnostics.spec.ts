import { diagnose, essBulk, rhat } from './diagnostics';
import { Random } from './rng';
import { hdi } from './summary';

function ar1(rng: Random, n: number, phi: number, shift = 0): Float64Array {
  const out = new Float64Array(n);
  let x = rng.normal() / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    x = phi * x + rng.normal();
    out[i] = x + shift;
  }
  return out;
}

describe('convergence diagnostics (Vehtari et al. 2021)', () => {
  it('gives R-hat near 1 and ESS near the number of draws for independent draws', () => {
    const rng = new Random(1);
    const chains = Array.from({ length: 4 }, () => ar1(rng, 1000, 0));
    const d = diagnose(chains);
    expect(d.rhat).toBeLessThan(1.01);
    expect(d.essBulk).toBeGreaterThan(3400);
    expect(d.essBulk).toBeLessThan(4600);
    expect(d.essTail).toBeGreaterThan(3000);
  });

  it('gives ESS = N (1 - phi) / (1 + phi) for an AR(1) chain', () => {
    // Integrated autocorrelation time of AR(1) is (1 + phi) / (1 - phi): N/3 for phi = 0.5, N/19 for phi = 0.9.
    const rng = new Random(2);
    const half = Array.from({ length: 4 }, () => ar1(rng, 5000, 0.5));
    expect(essBulk(half) / (20000 / 3)).toBeGreaterThan(0.85);
    expect(essBulk(half) / (20000 / 3)).toBeLessThan(1.15);
    const strong = Array.from({ length: 4 }, () => ar1(rng, 5000, 0.9));
    expect(essBulk(strong) / (20000 / 19)).toBeGreaterThan(0.8);
    expect(essBulk(strong) / (20000 / 19)).toBeLessThan(1.2);
  });

  it('flags chains stuck in different places and chains that drift', () => {
    const rng = new Random(3);
    const apart = [ar1(rng, 500, 0), ar1(rng, 500, 0), ar1(rng, 500, 0), ar1(rng, 500, 0, 1)];
    expect(rhat(apart)).toBeGreaterThan(1.05);
    const drifting = Array.from({ length: 4 }, () =>
      Float64Array.from(ar1(rng, 500, 0), (v, i) => v + i / 100),
    );
    expect(rhat(drifting)).toBeGreaterThan(1.1);
  });

  it('flags chains that agree in location but not in scale (folded R-hat)', () => {
    const rng = new Random(4);
    const chains = [
      ar1(rng, 1000, 0),
      ar1(rng, 1000, 0),
      ar1(rng, 1000, 0),
      Float64Array.from(ar1(rng, 1000, 0), (v) => 3 * v),
    ];
    expect(rhat(chains)).toBeGreaterThan(1.05);
  });

  it('computes the 94% highest-density interval', () => {
    const uniform = Float64Array.from({ length: 10001 }, (_, i) => i / 10000);
    const [lo, hi] = hdi(uniform);
    expect(hi - lo).toBeCloseTo(0.94, 3);
    const rng = new Random(5);
    const normal = Float64Array.from({ length: 200000 }, () => rng.normal());
    const [nLo, nHi] = hdi(normal);
    // Central 94% interval of N(0, 1): +/- 1.880794 (standard normal quantile at 0.97).
    expect(nLo).toBeCloseTo(-1.8808, 1);
    expect(nHi).toBeCloseTo(1.8808, 1);
  });
});
