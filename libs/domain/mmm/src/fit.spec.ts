import { fitMmm, type MmmFit, type ResponseDraws } from './fit';
import { optimiseBudget } from './optimizer';
import { simulateMmm } from './simulator';

const SAMPLING = { chains: 4, tune: 400, draws: 600, parallel: 'in-process' as const };

describe('fitMmm on simulated data (parameter recovery, small version of the benchmark)', () => {
  const cases: { channel: string; truth: number; low: number; high: number }[] = [];
  let first: MmmFit;
  let firstSim: ReturnType<typeof simulateMmm>;

  beforeAll(async () => {
    for (const seed of [1, 2, 3]) {
      const sim = simulateMmm({ weeks: 104, channels: 2, seed });
      const fit = await fitMmm(sim.data, {}, { ...SAMPLING, seed });
      if (seed === 1) {
        first = fit;
        firstSim = sim;
      }
      expect(fit.diagnostics.verdict).toBe('converged');
      expect(fit.diagnostics.divergences).toBe(0);
      expect(fit.diagnostics.rhatMax).toBeLessThan(1.01);
      for (const channel of fit.results!.channels) {
        const truth = sim.truth.channels.find((c) => c.name === channel.name)!.roi;
        cases.push({
          channel: `${seed}/${channel.name}`,
          truth,
          low: channel.roas.hdiLow,
          high: channel.roas.hdiHigh,
        });
      }
    }
  }, 120_000);

  it('puts the true ROI inside the 94% HDI in at least 90% of channel fits', () => {
    const inside = cases.filter((c) => c.truth >= c.low && c.truth <= c.high);
    expect(cases).toHaveLength(6);
    expect(inside.length / cases.length).toBeGreaterThanOrEqual(0.9);
  });

  it('reports contributions, shares, curves and fit quality consistently', () => {
    const results = first.results!;
    const shares = results.channels.reduce((s, c) => s + c.share.mean, 0);
    expect(shares).toBeCloseTo(1, 10);
    for (const channel of results.channels) {
      expect(channel.roas.mean).toBeCloseTo(channel.contribution.mean / channel.spend, 8);
      expect(channel.contributionOverTime.mean).toHaveLength(104);
      expect(channel.adstock.mean.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 8);
      expect(channel.responseCurve.mean[0]).toBe(0);
      // Diminishing returns: marginal ROAS below average ROAS for a concave curve.
      expect(channel.marginalRoas.mean).toBeLessThan(channel.roas.mean);
    }
    expect(results.fit.r2).toBeGreaterThan(0.5);
    expect(results.fit.mape).toBeLessThan(0.1);
    expect(results.fit.coverage).toBeGreaterThan(0.85);
    // Baseline + media = expected KPI.
    const t = 40;
    const media = results.channels.reduce((s, c) => s + c.contributionOverTime.mean[t], 0);
    expect(results.baseline.mean[t] + media).toBeCloseTo(results.expected.mean[t], 0);
    expect(firstSim.data.target[t]).toBeGreaterThan(0);
  });

  it('optimises the budget within bounds and never does worse than the current allocation', () => {
    const plan = optimiseBudget(first, { relativeBound: 0.3 });
    const total = plan.channels.reduce((s, c) => s + c.optimal, 0);
    expect(total).toBeCloseTo(plan.budget, 6);
    for (const c of plan.channels) {
      expect(c.optimal).toBeGreaterThanOrEqual(c.lower - 1e-9);
      expect(c.optimal).toBeLessThanOrEqual(c.upper + 1e-9);
    }
    expect(plan.expectedContribution.optimal).toBeGreaterThanOrEqual(
      plan.expectedContribution.current - 1e-9,
    );
    expect(plan.lift.mean).toBeCloseTo(
      plan.expectedContribution.optimal - plan.expectedContribution.current,
      6,
    );
  });
});

describe('optimiseBudget', () => {
  it('finds the analytic optimum for two Michaelis-Menten channels', () => {
    // f_i(s) = b_i s / (K + s), K = 1, b = (1, 4), budget 10: equal marginals give K + s_2 = 2 (K + s_1), so s = (3, 7).
    const response: ResponseDraws = {
      draws: 1,
      channels: ['a', 'b'],
      saturation: 'michaelis-menten',
      targetScale: 1,
      spendScale: [1, 1],
      averageSpend: [5, 5],
      beta: Float64Array.from([1, 4]),
      weightSum: Float64Array.from([1, 1]),
      p0: Float64Array.from([1, 1]),
      p1: Float64Array.from([0, 0]),
    };
    const plan = optimiseBudget(
      { response },
      { bounds: { a: { lower: 0, upper: 10 }, b: { lower: 0, upper: 10 } } },
    );
    expect(plan.channels[0].optimal).toBeCloseTo(3, 3);
    expect(plan.channels[1].optimal).toBeCloseTo(7, 3);
    // Lift over (5, 5): 3/4 + 4 * 7/8 - (5/6 + 4 * 5/6) = 4.25 - 4.1667.
    expect(plan.lift.mean).toBeCloseTo(4.25 - 25 / 6, 6);
    const capped = optimiseBudget({ response }, { relativeBound: 0.3 });
    expect(capped.channels[1].optimal).toBeCloseTo(6.5, 6);
    expect(capped.channels[0].optimal).toBeCloseTo(3.5, 6);
  });
});
