import type { LogDensity } from './model';
import { type ChainResult, runChain } from './nuts';
import { diagnose } from './diagnostics';

/** Gaussian target N(mean, cov) through its precision matrix. */
function gaussian(mean: number[], cov: number[][]): LogDensity {
  const n = mean.length;
  const precision = invert(cov);
  const diff = new Float64Array(n);
  return {
    dimension: n,
    logDensityGradient(q, grad) {
      for (let i = 0; i < n; i++) diff[i] = q[i] - mean[i];
      let lp = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += precision[i][j] * diff[j];
        grad[i] = -s;
        lp -= 0.5 * diff[i] * s;
      }
      return lp;
    },
  };
}

function invert(matrix: number[][]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    for (let j = 0; j < 2 * n; j++) a[col][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[col][j];
    }
  }
  return a.map((row) => row.slice(n));
}

function sample(
  target: LogDensity,
  chains: number,
  tune: number,
  draws: number,
  seed: number,
): ChainResult[] {
  return Array.from({ length: chains }, (_, chain) => runChain(target, { tune, draws, seed, chain }));
}

function column(results: ChainResult[], i: number): Float64Array[] {
  return results.map((r) =>
    Float64Array.from({ length: r.draws.length / r.dimension }, (_, d) => r.draws[d * r.dimension + i]),
  );
}

function moments(results: ChainResult[]): { mean: number[]; cov: number[][] } {
  const n = results[0].dimension;
  const rows = results.flatMap((r) =>
    Array.from({ length: r.draws.length / n }, (_, d) => Array.from(r.draws.subarray(d * n, (d + 1) * n))),
  );
  const mean = Array.from({ length: n }, (_, i) => rows.reduce((s, row) => s + row[i], 0) / rows.length);
  const cov = mean.map((_, i) =>
    mean.map(
      (__, j) => rows.reduce((s, row) => s + (row[i] - mean[i]) * (row[j] - mean[j]), 0) / (rows.length - 1),
    ),
  );
  return { mean, cov };
}

describe('NUTS', () => {
  it('recovers the mean and covariance of a correlated 2-D Gaussian', () => {
    const mean = [1, -2];
    const cov = [
      [1, 1.8],
      [1.8, 4],
    ]; // sd 1 and 2, correlation 0.9
    const results = sample(gaussian(mean, cov), 4, 1000, 1000, 11);
    const m = moments(results);
    expect(Math.abs(m.mean[0] - 1)).toBeLessThan(0.1);
    expect(Math.abs(m.mean[1] + 2)).toBeLessThan(0.2);
    // Tolerances are about four Monte Carlo standard errors for 4 x 1000 draws.
    expect(m.cov[0][0]).toBeGreaterThan(0.8);
    expect(m.cov[0][0]).toBeLessThan(1.2);
    expect(m.cov[1][1]).toBeGreaterThan(3.2);
    expect(m.cov[1][1]).toBeLessThan(4.8);
    expect(m.cov[0][1] / Math.sqrt(m.cov[0][0] * m.cov[1][1])).toBeGreaterThan(0.87);
    expect(m.cov[0][1] / Math.sqrt(m.cov[0][0] * m.cov[1][1])).toBeLessThan(0.93);
    for (let i = 0; i < 2; i++) {
      const d = diagnose(column(results, i));
      expect(d.rhat).toBeLessThan(1.01);
      expect(d.essBulk).toBeGreaterThan(400);
    }
    expect(results.every((r) => r.divergent.every((v) => v === 0))).toBe(true);
  });

  it('recovers a 10-D Gaussian with scales from 0.1 to 10 and AR(1) correlation 0.5', () => {
    const n = 10;
    const scale = Array.from({ length: n }, (_, i) => 0.1 * Math.pow(100, i / (n - 1)));
    const mean = Array.from({ length: n }, (_, i) => i - 4);
    const cov = scale.map((si, i) => scale.map((sj, j) => si * sj * Math.pow(0.5, Math.abs(i - j))));
    const results = sample(gaussian(mean, cov), 4, 1000, 1000, 5);
    const m = moments(results);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(m.mean[i] - mean[i])).toBeLessThan(0.12 * scale[i]);
      expect(m.cov[i][i] / cov[i][i]).toBeGreaterThan(0.85);
      expect(m.cov[i][i] / cov[i][i]).toBeLessThan(1.15);
      if (i > 0) {
        const r = m.cov[i][i - 1] / Math.sqrt(m.cov[i][i] * m.cov[i - 1][i - 1]);
        expect(Math.abs(r - 0.5)).toBeLessThan(0.06);
      }
      expect(diagnose(column(results, i)).rhat).toBeLessThan(1.01);
    }
  });

  it('matches the published posterior means of eight schools (non-centred)', () => {
    // Rubin (1981) data; model as in the Stan case study: mu ~ N(0, 5), tau ~ HalfCauchy(0, 5),
    // theta_j = mu + tau * eta_j, eta_j ~ N(0, 1). Reference posterior means (posteriordb
    // eight_schools_noncentered): mu ~ 4.4, tau ~ 3.6, theta_1 ~ 6.2, theta_3 ~ 3.9.
    const y = [28, 8, -3, 7, -1, 1, 18, 12];
    const sigma = [15, 10, 16, 11, 9, 11, 10, 18];
    const target: LogDensity = {
      dimension: 10,
      logDensityGradient(q, grad) {
        const mu = q[0];
        const tau = Math.exp(q[1]);
        let lp = (-mu * mu) / 50 - Math.log1p((tau / 5) ** 2) + q[1];
        let dMu = -mu / 25;
        let dTau = (-2 * tau) / 25 / (1 + (tau / 5) ** 2);
        for (let j = 0; j < 8; j++) {
          const eta = q[2 + j];
          const r = (y[j] - mu - tau * eta) / (sigma[j] * sigma[j]);
          lp += -0.5 * eta * eta - 0.5 * r * (y[j] - mu - tau * eta);
          dMu += r;
          dTau += r * eta;
          grad[2 + j] = -eta + r * tau;
        }
        grad[0] = dMu;
        grad[1] = dTau * tau + 1;
        return lp;
      },
    };
    const results = sample(target, 4, 1000, 2500, 8);
    const mus = column(results, 0);
    const taus = column(results, 1).map((c) => c.map(Math.exp));
    const theta = (j: number) =>
      results.flatMap((r) =>
        Array.from(
          { length: r.draws.length / 10 },
          (_, d) => r.draws[d * 10] + Math.exp(r.draws[d * 10 + 1]) * r.draws[d * 10 + 2 + j],
        ),
      );
    const avg = (xs: ArrayLike<number>[]) =>
      xs.reduce((s, x) => s + Array.from(x).reduce((a, b) => a + b, 0), 0) /
      xs.reduce((s, x) => s + x.length, 0);
    expect(Math.abs(avg(mus) - 4.4)).toBeLessThan(0.35);
    expect(Math.abs(avg(taus) - 3.6)).toBeLessThan(0.35);
    expect(Math.abs(avg([theta(0)]) - 6.2)).toBeLessThan(0.5);
    expect(Math.abs(avg([theta(2)]) - 3.9)).toBeLessThan(0.5);
    const divergences = results.reduce((s, r) => s + r.divergent.reduce((a, b) => a + b, 0), 0);
    expect(divergences).toBeLessThan(10);
    expect(diagnose(mus).rhat).toBeLessThan(1.01);
  });

  it('is reproducible: the same seed gives the same draws, another seed different ones', () => {
    const target = gaussian(
      [0, 0],
      [
        [1, 0.5],
        [0.5, 1],
      ],
    );
    const a = runChain(target, { tune: 100, draws: 50, seed: 3, chain: 1 });
    const b = runChain(target, { tune: 100, draws: 50, seed: 3, chain: 1 });
    const c = runChain(target, { tune: 100, draws: 50, seed: 4, chain: 1 });
    expect(Array.from(a.draws)).toEqual(Array.from(b.draws));
    expect(Array.from(a.draws)).not.toEqual(Array.from(c.draws));
  });

  it('reports divergences on a funnel it cannot traverse', () => {
    // Neal's funnel with a centred parameterisation: v ~ N(0, 3), x ~ N(0, exp(v / 2)).
    const target: LogDensity = {
      dimension: 2,
      logDensityGradient(q, grad) {
        const v = q[0];
        const x = q[1];
        grad[0] = -v / 9 - 0.5 + 0.5 * x * x * Math.exp(-v);
        grad[1] = -x * Math.exp(-v);
        return (-v * v) / 18 - 0.5 * v - 0.5 * x * x * Math.exp(-v);
      },
    };
    const results = sample(target, 2, 300, 300, 2);
    expect(results.reduce((s, r) => s + r.divergent.reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(0);
  });
});
