/**
 * Accuracy benchmark on M4 Weekly (h = 13, m = 1 as in M4) and tourism monthly (h = 24, m = 12).
 *
 *   swc libs/domain/forecasting tools/bench/forecasting -d dist --quiet
 *   node dist/tools/bench/forecasting/accuracy.js \
 *     --m4-train Weekly-train.csv --m4-test Weekly-test.csv \
 *     --tourism-in monthly_in.csv --tourism-oos monthly_oos.csv [--limit N]
 *     [--ets-cv fixed-form|full|fixed-parameters] [--profile faithful|sku]
 *
 * sMAPE and MASE are averaged over series (M4 definitions; MASE scaled by the in-sample seasonal
 * naive MAE with the m above); OWA is relative to our own Naive2 run on the same series.
 */
import {
  accuracy,
  etsMethod,
  forecastDemand,
  ForecastMethod,
  naive2Method,
  owa,
  seasonalNaiveMethod,
  SKU_SCALE_OPTIONS,
  thetaMethod,
} from '@sextant/domain/forecasting';
import { CompetitionSeries, readM4, readTourism } from './datasets';
import { argValue } from './cli-args';

interface Published {
  method: string;
  smape?: number;
  mase?: number;
  owa?: number;
}

/**
 * Published figures. M4: Makridakis, Spiliotis and Assimakopoulos (2020), IJF 36(1), weekly
 * results of the benchmarks. Tourism: Athanasopoulos, Hyndman, Song and Wu (2011), IJF 27(3),
 * monthly MASE averaged over h = 1..24.
 */
const PUBLISHED: Record<string, Published[]> = {
  'M4 Weekly': [
    { method: 'Naive2 (M4 paper)', smape: 9.161, mase: 2.777, owa: 1.0 },
    { method: 'Theta (M4 paper)', smape: 9.093, mase: 2.637, owa: 0.971 },
    { method: 'ETS (M4 paper)', smape: 8.727, mase: 2.527, owa: 0.931 },
  ],
  'Tourism monthly': [
    { method: 'SNaive (tourism paper)', mase: 1.631 },
    { method: 'Theta (tourism paper)', mase: 1.649 },
    { method: 'ETS (tourism paper)', mase: 1.526 },
  ],
};

const profile = argValue('--profile', 'faithful');
const etsCrossValidation = argValue('--ets-cv', 'fixed-form') as 'fixed-form' | 'full' | 'fixed-parameters';

function automatic(ensemble: boolean): ForecastMethod {
  return (history, context) => {
    const result = forecastDemand(history, {
      horizon: context.horizon,
      season: context.season,
      levels: context.levels,
      ensemble,
      etsCrossValidation,
      ...(profile === 'sku' ? SKU_SCALE_OPTIONS : {}),
    });
    return { method: result.method, mean: result.forecast };
  };
}

const METHODS: [string, ForecastMethod][] = [
  ['Naive2', naive2Method],
  ['Seasonal naive', seasonalNaiveMethod],
  ['AutoETS', etsMethod()],
  ['Theta', thetaMethod],
  ['Automatic selection', automatic(false)],
  ['Automatic selection + ensemble', automatic(true)],
];

function evaluate(name: string, series: CompetitionSeries[], horizon: number, season: number): void {
  const rows: { method: string; smape: number; mase: number; seconds: number }[] = [];
  for (const [method, forecast] of METHODS) {
    let smape = 0;
    let mase = 0;
    const start = performance.now();
    for (const s of series) {
      const mean = forecast(s.train, { horizon, season, levels: [80, 95], seed: 1 }).mean;
      const metrics = accuracy(s.test.slice(0, horizon), mean, s.train, season);
      smape += metrics.smape;
      mase += metrics.mase;
    }
    rows.push({
      method,
      smape: smape / series.length,
      mase: mase / series.length,
      seconds: (performance.now() - start) / 1000,
    });
    process.stderr.write(`${name}: ${method} done\n`);
  }
  const naive2 = rows[0];
  console.log(`\n### ${name} (${series.length} series, h = ${horizon}, m = ${season})\n`);
  console.log('| method | sMAPE | MASE | OWA | time (s) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.method} | ${r.smape.toFixed(3)} | ${r.mase.toFixed(3)} | ${owa(r, naive2).toFixed(3)} | ${r.seconds.toFixed(1)} |`,
    );
  }
  for (const p of PUBLISHED[name] ?? []) {
    console.log(
      `| ${p.method} | ${p.smape?.toFixed(3) ?? '-'} | ${p.mase?.toFixed(3) ?? '-'} | ${p.owa?.toFixed(3) ?? '-'} | published |`,
    );
  }
}

const limit = Number(argValue('--limit', '0'));
const take = (series: CompetitionSeries[]) => (limit > 0 ? series.slice(0, limit) : series);
console.log(
  `automatic selection options: ${profile === 'sku' ? 'SKU_SCALE_OPTIONS' : `defaults, ETS in CV: ${etsCrossValidation}`}`,
);
if (process.argv.includes('--m4-train')) {
  evaluate('M4 Weekly', take(readM4(argValue('--m4-train'), argValue('--m4-test'))), 13, 1);
}
if (process.argv.includes('--tourism-in')) {
  evaluate('Tourism monthly', take(readTourism(argValue('--tourism-in'), argValue('--tourism-oos'))), 24, 12);
}
