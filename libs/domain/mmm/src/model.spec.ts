import { type MmmConfigInput, resolveConfig } from './config';
import { MmmModel } from './model';
import { simulateMmm } from './simulator';
import { adstockWeights, saturate, saturationValue } from './transforms';

function finiteDifferenceCheck(model: MmmModel, q: Float64Array): number {
  const grad = new Float64Array(model.dimension);
  const scratch = new Float64Array(model.dimension);
  model.logDensityGradient(q, grad);
  let worst = 0;
  for (let i = 0; i < model.dimension; i++) {
    const h = 1e-6;
    const up = q.slice();
    const down = q.slice();
    up[i] += h;
    down[i] -= h;
    const fd = (model.logDensityGradient(up, scratch) - model.logDensityGradient(down, scratch)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1, Math.abs(fd)));
  }
  return worst;
}

describe('media transforms', () => {
  it('geometric adstock weights: alpha^l, normalised to sum 1 when asked', () => {
    const w = new Float64Array(4);
    const dw = [new Float64Array(4)];
    adstockWeights('geometric', [0.5], 4, false, w, dw);
    expect(Array.from(w)).toEqual([1, 0.5, 0.25, 0.125]);
    expect(Array.from(dw[0])).toEqual([0, 1, 1, 0.75]); // l * alpha^(l-1)
    adstockWeights('geometric', [0.5], 4, true, w, dw);
    expect(Array.from(w).map((v) => v * 1.875)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it('Weibull adstock peaks near the Weibull mode when shape > 1 and decays when shape < 1', () => {
    const w = new Float64Array(12);
    const dw = [new Float64Array(12), new Float64Array(12)];
    // shape 3, scale 5: density mode 5 * (2/3)^(1/3) = 4.37, evaluated at lag + 1, so the peak is lag 3.
    adstockWeights('weibull', [3, 5], 12, true, w, dw);
    expect(Array.from(w).indexOf(Math.max(...w))).toBe(3);
    expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    adstockWeights('weibull', [0.8, 2], 12, true, w, dw);
    for (let l = 1; l < 12; l++) expect(w[l]).toBeLessThan(w[l - 1]);
  });

  it('saturation curves match their closed forms', () => {
    const out = new Float64Array(3);
    // PyMC-Marketing logistic_saturation: (1 - exp(-lam x)) / (1 + exp(-lam x)); lam 4, x 0.5 -> (1 - e^-2) / (1 + e^-2).
    expect(saturate('logistic', 0.5, 4, 0, out)).toBeCloseTo((1 - Math.exp(-2)) / (1 + Math.exp(-2)), 14);
    expect(saturationValue('hill', 0.3, 0.3, 2.5)).toBeCloseTo(0.5, 14);
    expect(saturationValue('hill', 0.6, 0.3, 2)).toBeCloseTo(0.8, 14); // 4 / (4 + 1)
    expect(saturationValue('michaelis-menten', 0.4, 0.4, 0)).toBeCloseTo(0.5, 14);
    expect(saturationValue('michaelis-menten', 1.2, 0.4, 0)).toBeCloseTo(0.75, 14);
  });
});

describe('MmmModel gradient', () => {
  const sim = simulateMmm({ weeks: 80, channels: 3, seed: 4 });
  const data = {
    ...sim.data,
    controls: [{ name: 'promo', values: sim.data.dates.map((_, t) => (t % 9 === 0 ? 1 : 0)) }],
  };
  const configs: [string, MmmConfigInput][] = [
    ['geometric + logistic, ROI', {}],
    [
      'geometric (unnormalised) + michaelis-menten, coefficient',
      { normalizeAdstock: false, saturation: 'michaelis-menten', channelEffect: 'coefficient' },
    ],
    [
      'weibull + hill, truncated normal, hold-out',
      { adstock: 'weibull', saturation: 'hill', likelihood: 'truncated-normal', holdoutWeeks: 8, maxLag: 6 },
    ],
    [
      'with lift tests',
      {
        liftTests: [
          {
            channel: 'channel_2',
            start: sim.data.dates[20],
            end: sim.data.dates[27],
            lift: 3000,
            stdError: 400,
          },
        ],
        channelEffect: 'coefficient',
      },
    ],
  ];
  it.each(configs)('matches central finite differences: %s', (_, config) => {
    const model = new MmmModel(data, resolveConfig(config));
    for (const shift of [0, 0.7]) {
      const q = Float64Array.from({ length: model.dimension }, (__, i) => 0.6 * Math.sin(1.3 * i + shift));
      expect(finiteDifferenceCheck(model, q)).toBeLessThan(1e-5);
    }
  });

  it('scales KPI and spend by their maximum absolute value and reproduces the simulated contributions', () => {
    const model = new MmmModel(sim.data, resolveConfig({ seasonality: 1 }));
    expect(Math.max(...model.y.map(Math.abs))).toBeCloseTo(1, 14);
    const q = new Float64Array(model.dimension);
    // Put the true adstock/saturation/ROI into the model and compare contributions with the simulator's.
    sim.truth.channels.forEach((channel, k) => {
      const base = model.channelIndex + k * model.channelStride;
      q[base] = Math.log(channel.roi);
      q[base + 1] = Math.log(channel.alpha / (1 - channel.alpha));
      q[base + 2] = Math.log(channel.lambda);
    });
    model.evaluate(q);
    sim.truth.channels.forEach((channel, k) => {
      for (const t of [0, 10, 50, 79])
        expect(model.contribution[k * model.weeks + t] * model.targetScale).toBeCloseTo(
          channel.contribution[t],
          6,
        );
    });
  });
});
