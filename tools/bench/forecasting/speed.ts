/**
 * Speed benchmark: simulated SKUs (mixed classes), full classification + selection + forecast.
 *
 *   swc libs/domain/forecasting tools/bench/forecasting -d dist --quiet
 *   node dist/tools/bench/forecasting/speed.js [--count 10000] [--length 730] [--horizon 28] [--runs 3]
 *       [--ets-cv fixed-form|full] [--origins 3]
 *
 * Prints the single-process wall time per run and the median, the time per class, and the median
 * time of one AutoETS fit on a smooth series. Profile with `node --cpu-prof ...`.
 */
import { autoEts, DemandClass, forecastDemand, simulateSkuDemand } from '@sextant/domain/forecasting';
import { argValue, median } from './cli-args';

const count = Number(argValue('--count', '10000'));
const length = Number(argValue('--length', '730'));
const horizon = Number(argValue('--horizon', '28'));
const runs = Number(argValue('--runs', '3'));
const origins = Number(argValue('--origins', '3'));
const etsCrossValidation = argValue('--ets-cv', 'fixed-form') as 'fixed-form' | 'full';
const season = 7;

const skus = simulateSkuDemand({ count, length, seed: 2026 });
const runTimes: number[] = [];
const classTime = new Map<DemandClass, { ms: number; n: number }>();
const methods = new Map<string, number>();
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  for (const sku of skus) {
    const t0 = performance.now();
    const result = forecastDemand(sku.values, {
      horizon,
      season,
      etsCrossValidation,
      crossValidation: { origins },
    });
    if (run === 0) {
      const entry = classTime.get(result.class) ?? { ms: 0, n: 0 };
      entry.ms += performance.now() - t0;
      entry.n++;
      classTime.set(result.class, entry);
      methods.set(result.method, (methods.get(result.method) ?? 0) + 1);
    }
  }
  runTimes.push((performance.now() - start) / 1000);
  process.stderr.write(`run ${run + 1}: ${runTimes[run].toFixed(1)} s\n`);
}

const etsTimes: number[] = [];
for (const sku of skus.filter((s) => s.intendedClass === 'smooth').slice(0, 50)) {
  const t0 = performance.now();
  autoEts(sku.values, season);
  etsTimes.push(performance.now() - t0);
}

console.log(`SKUs: ${count} x ${length} days, horizon ${horizon}, season ${season}, ETS in CV: ${etsCrossValidation}, origins: ${origins}`);
console.log(`single-process time per run (s): ${runTimes.map((t) => t.toFixed(1)).join(', ')}; median ${median(runTimes).toFixed(1)} s`);
console.log(`median AutoETS fit on one smooth 730-day series: ${median(etsTimes).toFixed(1)} ms`);
console.log('time by class (first run):');
for (const [demandClass, { ms, n }] of classTime) {
  console.log(`  ${demandClass.padEnd(12)} ${String(n).padStart(6)} series  ${(ms / 1000).toFixed(1).padStart(7)} s  ${(ms / n).toFixed(2)} ms/series`);
}
console.log(`methods selected: ${[...methods].map(([m, n]) => `${m} ${n}`).join(', ')}`);
