import { detectChange, narrate, robustScore } from './robust-change';

/** Deterministic normal draws (mulberry32 + Box-Muller), so the measured rates are reproducible. */
function normals(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return (mean: number, sd: number) =>
    mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('robust change detection (median/MAD modified z-score)', () => {
  it('computes the modified z-score by hand-checked values', () => {
    // median 3, absolute deviations [2, 1, 0, 1, 97] -> MAD 1; z = 0.6745 * (10 - 3) / 1
    expect(robustScore([1, 2, 3, 4, 100], 10)).toEqual({ expected: 3, score: expect.closeTo(4.7215, 4) });
    // MAD 0: mean absolute deviation (0.4) scaled by 1.2533 stands in
    expect(robustScore([5, 5, 5, 5, 7], 9)!.score).toBeCloseTo(4 / (1.2533 * 0.4), 6);
    expect(robustScore([5, 5, 5], 9)).toBeNull();
  });

  it('stays quiet on noise: false-positive rate measured on 20,000 synthetic days', () => {
    const draw = normals(42);
    let raised = 0;
    const trials = 20_000;
    for (let i = 0; i < trials; i++) {
      const history = Array.from({ length: 28 }, () => draw(100, 10));
      if (detectChange(history, draw(100, 10))) raised++;
    }
    const rate = raised / trials;
    // For the true median and MAD, P(|z| > 3.5) would be about 0.05%; estimated from 28 days the
    // MAD is noisy and the measured rate is higher (0.445% with seed 42: about one false signal
    // per metric every 225 days). The bound guards against a regression.
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(0.01);
  });

  it('fires on an injected 50% drop and on a spike, with severity growing with the score', () => {
    const draw = normals(7);
    let fired = 0;
    for (let i = 0; i < 1_000; i++) {
      const history = Array.from({ length: 28 }, () => draw(100, 10));
      const change = detectChange(history, 50);
      if (change?.direction === 'down') fired++;
    }
    // A 5-sd drop: the window's own median/MAD noise misses a few (measured 96.8% detected, seed 7).
    expect(fired / 1_000).toBeGreaterThan(0.95);
    const history = Array.from({ length: 28 }, () => draw(100, 10));
    expect(detectChange(history, 300)).toMatchObject({ direction: 'up', severity: 'high' });
  });

  it('needs enough history and a minimum effect size', () => {
    expect(detectChange([1, 2, 3], 100)).toBeNull();
    // Tight window: a 5% move is many MADs away but below the 20% minimum effect.
    const tight = Array.from({ length: 20 }, (_, i) => 100 + (i % 2 ? 0.1 : -0.1));
    expect(robustScore(tight, 105)!.score).toBeGreaterThan(3.5);
    expect(detectChange(tight, 105)).toBeNull();
  });

  it('writes a narrative naming the metric, subject, day, expected value and score', () => {
    const change = detectChange(
      Array.from({ length: 20 }, (_, i) => 2 + (i % 3) * 0.1),
      0.5,
    )!;
    expect(narrate('ROAS', 'paid_search', '2026-10-04', change, 20)).toBe(
      `ROAS of paid_search fell to 0.50 on 2026-10-04, ${Math.round(change.relativeEffect! * 100)}% below the expected 2.10 (median of the previous 20 days; robust z = ${change.score.toFixed(1)}).`,
    );
  });
});
