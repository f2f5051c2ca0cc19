/**
 * PyMC-Marketing's published example (data/mmm_example.csv in pymc-labs/pymc-marketing: 179 weeks,
 * channels x1 and x2, controls event_1, event_2 and t, yearly seasonality of order 2), fitted the
 * way PyMC-Marketing's example fits it: geometric adstock (l_max 8), logistic saturation,
 * coefficient (beta) parameterisation with HalfNormal(2), max-abs scaling, no extra trend (t is a
 * control). The CSV is not committed (pass its path); its published data-generating process:
 * adstock alpha 0.4 / 0.2 (normalised weights over 8 weeks), logistic lambda 4 / 3 on x,
 * y = 1000 (intercept + trend + seasonality + 1.5 event_1 + 2.5 event_2 + 3 s(x1) + 2 s(x2) + noise).
 * The true contributions, ROAS and shares below are computed from that process.
 *
 *   swc libs/domain/mmm tools/bench/mmm -d dist --quiet && node dist/tools/bench/mmm/pymc-example.js --csv PATH [--normalize true|false]
 */
import { readFileSync } from 'node:fs';
import { adstockWeights, fitMmm, type MmmData, saturationValue } from '@sextant/domain/mmm';
import { option, table } from './bench-util';

const TRUTH = {
  x1: { alpha: 0.4, lambda: 4, beta: 3000 },
  x2: { alpha: 0.2, lambda: 3, beta: 2000 },
};

function readCsv(file: string): Record<string, string[]> {
  const [header, ...rows] = readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
  return Object.fromEntries(header.map((h, j) => [h, rows.map((r) => r[j])]));
}

/** True weekly contribution of one channel under the published process (weights normalised when asked). */
function trueContribution(
  x: number[],
  truth: { alpha: number; lambda: number; beta: number },
  normalize: boolean,
): number[] {
  const L = 8;
  const w = new Float64Array(L);
  adstockWeights('geometric', [truth.alpha], L, normalize, w, [new Float64Array(L)]);
  return x.map((_, t) => {
    let a = 0;
    for (let l = 0; l <= Math.min(t, L - 1); l++) a += w[l] * x[t - l];
    return truth.beta * saturationValue('logistic', a, truth.lambda, 0);
  });
}

async function main(): Promise<void> {
  const csvPath = option('csv', '');
  if (!csvPath) throw new Error('--csv PATH to mmm_example.csv is required');
  const normalize = option('normalize', 'true') === 'true';
  const csv = readCsv(csvPath);
  const num = (name: string) => csv[name].map(Number);
  const data: MmmData = {
    dates: csv.date_week,
    target: num('y'),
    channels: ['x1', 'x2'].map((name) => ({ name, spend: num(name) })),
    controls: ['event_1', 'event_2', 't'].map((name) => ({ name, values: num(name) })),
  };
  const fit = await fitMmm(
    data,
    { channelEffect: 'coefficient', trend: false, seasonality: 2, maxLag: 8, normalizeAdstock: normalize },
    { chains: 4, tune: 1000, draws: 1000, seed: 1, parallel: 'threads' },
  );
  const d = fit.diagnostics;
  process.stdout.write(
    `PyMC-Marketing example (${data.dates.length} weeks), normalised adstock: ${normalize}\n${d.verdict}; R-hat max ${d.rhatMax.toFixed(4)}, ESS bulk min ${d.essBulkMin.toFixed(0)}, divergences ${d.divergences}, ${fit.seconds.toFixed(1)} s\n\n`,
  );
  if (!fit.results) return;
  const param = (name: string) => fit.results!.parameters.find((p) => p.name === name)!;
  const targetScale = Math.max(...data.target.map(Math.abs));
  const rows: (string | number)[][] = [];
  const contributions = Object.fromEntries(
    data.channels.map((c) => [c.name, trueContribution(c.spend, TRUTH[c.name as 'x1' | 'x2'], normalize)]),
  );
  const totalTrue = Object.values(contributions).reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0);
  for (const channel of data.channels) {
    const truth = TRUTH[channel.name as 'x1' | 'x2'];
    const spendMax = Math.max(...channel.spend);
    const row = (
      label: string,
      trueValue: number,
      e: { mean: number; hdiLow: number; hdiHigh: number },
      scale = 1,
    ) => {
      const inside = trueValue >= e.hdiLow * scale && trueValue <= e.hdiHigh * scale;
      rows.push([
        `${label}[${channel.name}]`,
        trueValue,
        e.mean * scale,
        `[${(e.hdiLow * scale).toFixed(3)}, ${(e.hdiHigh * scale).toFixed(3)}]`,
        inside ? 'yes' : 'no',
      ]);
    };
    row('alpha', truth.alpha, param(`alpha[${channel.name}]`));
    // The model saturates spend / max spend, so its lambda is the true lambda times max spend.
    row('lambda (x scaled)', truth.lambda * spendMax, param(`lambda[${channel.name}]`));
    row('beta (KPI units)', truth.beta, param(`beta[${channel.name}]`), targetScale);
    const result = fit.results.channels.find((c) => c.name === channel.name)!;
    const trueTotal = contributions[channel.name].reduce((a, b) => a + b, 0);
    row('ROAS', trueTotal / channel.spend.reduce((a, b) => a + b, 0), result.roas);
    row('share', trueTotal / totalTrue, result.share);
  }
  process.stdout.write(table(['quantity', 'true', 'estimate (mean)', '94% HDI', 'true in HDI'], rows) + '\n');
  const q = fit.results.fit;
  process.stdout.write(
    `\nfit: MAPE ${(100 * q.mape).toFixed(2)}%, R^2 ${q.r2.toFixed(3)}, 94% predictive coverage ${(100 * q.coverage).toFixed(1)}%\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
