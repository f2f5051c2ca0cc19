import { FitCancelledError } from './chains';
import { fitMmm } from './fit';
import { simulateMmm } from './simulator';

describe('cancelling a fit', () => {
  it('stops the chains at the next progress report and rejects with FitCancelledError', async () => {
    const sim = simulateMmm({ weeks: 60, channels: 2, seed: 3 });
    const controller = new AbortController();
    const reports: number[] = [];
    const fit = fitMmm(
      sim.data,
      {},
      {
        chains: 2,
        tune: 200,
        draws: 200,
        parallel: 'in-process',
        signal: controller.signal,
        onProgress: (_chain, done) => {
          reports.push(done);
          if (done >= 50) controller.abort();
        },
      },
    );
    await expect(fit).rejects.toBeInstanceOf(FitCancelledError);
    expect(Math.max(...reports)).toBeLessThan(400);
  });

  it('does not start when the signal is already aborted', async () => {
    const sim = simulateMmm({ weeks: 60, channels: 2, seed: 3 });
    await expect(
      fitMmm(sim.data, {}, { chains: 1, tune: 10, draws: 10, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(FitCancelledError);
  });
});
