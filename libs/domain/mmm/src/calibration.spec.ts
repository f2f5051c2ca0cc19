import { fitMmm, type MmmFit } from './fit';
import { simulateMmm } from './simulator';

const SAMPLING = { chains: 4, tune: 400, draws: 500, parallel: 'in-process' as const };

describe('fitMmm reporting', () => {
  it('reports a fit that did not converge as such and withholds its results', async () => {
    const sim = simulateMmm({ weeks: 104, channels: 2, seed: 5 });
    const fit = await fitMmm(
      sim.data,
      {},
      { chains: 2, tune: 15, draws: 20, seed: 1, parallel: 'in-process' },
    );
    expect(fit.diagnostics.converged).toBe(false);
    expect(fit.diagnostics.verdict).toMatch(/^not converged: /);
    expect(fit.results).toBeNull();
  });

  it('narrows the ROI of a channel when a lift test is added, around the truth', async () => {
    const sim = simulateMmm({ weeks: 80, channels: 2, seed: 6, noise: 0.08 });
    const truth = sim.truth.channels[0];
    const from = 30;
    const to = 45;
    const lift = truth.contribution.slice(from, to + 1).reduce((s, v) => s + v, 0);
    const without = await fitMmm(sim.data, {}, { ...SAMPLING, seed: 2 });
    const withTest = await fitMmm(
      sim.data,
      {
        liftTests: [
          {
            channel: truth.name,
            start: sim.data.dates[from],
            end: sim.data.dates[to],
            lift,
            stdError: 0.05 * lift,
          },
        ],
      },
      { ...SAMPLING, seed: 2 },
    );
    const width = (fit: MmmFit) =>
      fit.results!.channels[0].roas.hdiHigh - fit.results!.channels[0].roas.hdiLow;
    expect(width(withTest)).toBeLessThan(0.8 * width(without));
    expect(withTest.results!.channels[0].roas.hdiLow).toBeLessThan(truth.roi);
    expect(withTest.results!.channels[0].roas.hdiHigh).toBeGreaterThan(truth.roi);
  }, 60_000);
});
