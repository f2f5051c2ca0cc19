/**
 * Speed benchmark: simulated daily SKUs (mixed classes), full classification + selection +
 * 28-day forecast, single process.
 *
 *   swc libs/domain/forecasting tools/bench/forecasting -d dist --quiet
 *   node dist/tools/bench/forecasting/speed.js [--count 10000] [--length 730] [--horizon 28] [--runs 3]
 *       [--profile sku|faithful] [--holdout] [--max-iter N] [--max-history N]
 *
 * --profile sku (default) uses SKU_SCALE_OPTIONS (see README: design choices for speed);
 * --profile faithful uses forecastDemand's defaults (R-faithful AutoETS, fixed-form CV).
 * --holdout forecasts the last `horizon` days from the rest and reports the mean MASE (seasonal
 * naive scale, m = 7) by class, to measure what the speed choices cost in accuracy.
 * Prints the wall time of every run and the median, time by class, and the median time of one
 * AutoETS fit on a smooth series. Profile with `node --cpu-prof dist/tools/bench/forecasting/speed.js ...`.
 */
import {
  accuracy,
  autoEts,
  DemandClass,
  DemandForecastOptions,
  forecastDemand,
  simulateSkuDemand,
  SKU_SCALE_OPTIONS,
} from '@sextant/domain/forecasting';
import { argValue, median } from './cli-args';

const count = Number(argValue('--count', '10000'));
const length = Number(argValue('--length', '730'));
const horizon = Number(argValue('--horizon', '28'));
const runs = Number(argValue('--runs', '3'));
const profile = argValue('--profile', 'sku');
const holdout = process.argv.includes('--holdout');
const season = 7;
const options: DemandForecastOptions = { horizon, season, ...(profile === 'sku' ? SKU_SCALE_OPTIONS : {}) };
// Overrides for exploring the speed/accuracy trade-off.
if (process.argv.includes('--max-iter'))
  options.ets = { ...options.ets, maxIterations: Number(argValue('--max-iter')) };
if (process.argv.includes('--max-history')) options.maxHistory = Number(argValue('--max-history'));

const skus = simulateSkuDemand({ count, length, seed: 2026 });
const runTimes: number[] = [];
const byClass = new Map<DemandClass, { ms: number; n: number; mase: number; scored: number }>();
const methods = new Map<string, number>();
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  for (const sku of skus) {
    const t0 = performance.now();
    const history = holdout ? sku.values.slice(0, -horizon) : sku.values;
    const result = forecastDemand(history, options);
    if (run === 0) {
      const entry = byClass.get(result.class) ?? { ms: 0, n: 0, mase: 0, scored: 0 };
      entry.ms += performance.now() - t0;
      entry.n++;
      if (holdout) {
        const mase = accuracy(sku.values.slice(-horizon), result.forecast, history, season).mase;
        if (Number.isFinite(mase)) {
          entry.mase += mase;
          entry.scored++;
        }
      }
      byClass.set(result.class, entry);
      methods.set(result.method, (methods.get(result.method) ?? 0) + 1);
    }
  }
  runTimes.push((performance.now() - start) / 1000);
  process.stderr.write(`run ${run + 1}: ${runTimes[run].toFixed(1)} s\n`);
}

const etsTimes: number[] = [];
for (const sku of skus.filter((s) => s.intendedClass === 'smooth').slice(0, 30)) {
  const t0 = performance.now();
  autoEts(sku.values, season);
  etsTimes.push(performance.now() - t0);
}
const skuEtsTimes: number[] = [];
for (const sku of skus.filter((s) => s.intendedClass === 'smooth').slice(0, 30)) {
  const t0 = performance.now();
  autoEts(sku.values.slice(-(SKU_SCALE_OPTIONS.maxHistory ?? length)), season, SKU_SCALE_OPTIONS.ets);
  skuEtsTimes.push(performance.now() - t0);
}

console.log(
  `SKUs: ${count} x ${length} days, horizon ${horizon}, season ${season}, profile ${profile}${holdout ? ', holdout' : ''}`,
);
console.log(
  `single-process time per run (s): ${runTimes.map((t) => t.toFixed(1)).join(', ')}; median ${median(runTimes).toFixed(1)} s`,
);
console.log(
  `median AutoETS on one smooth 730-day series: R-faithful ${median(etsTimes).toFixed(1)} ms, SKU profile ${median(skuEtsTimes).toFixed(1)} ms`,
);
console.log('by class (first run):');
for (const [demandClass, e] of [...byClass].sort()) {
  const mase = holdout && e.scored ? `  MASE ${(e.mase / e.scored).toFixed(3)} (${e.scored} scored)` : '';
  console.log(
    `  ${demandClass.padEnd(12)} ${String(e.n).padStart(6)} series ${(e.ms / 1000).toFixed(1).padStart(7)} s ${(e.ms / e.n).toFixed(2).padStart(8)} ms/series${mase}`,
  );
}
console.log(`methods selected: ${[...methods].map(([m, n]) => `${m} ${n}`).join(', ')}`);
