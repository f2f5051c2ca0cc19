// What the six services cost when nobody uses them: CPU per service over --seconds of no traffic
// (from each service's own `process_cpu_seconds_total`, read before and after), after --settle
// seconds for start-up work to end. Medians of --runs runs, each on a fresh stack.
//   node dist/tools/bench/idle/idle.js [--runs 3] [--seconds 30] [--settle 15]
// Needs SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS.
import { ALL_SERVICES, startStack, type ServiceName, type TestEnvironment } from '@sextant/testing';
import { parseArgs } from 'node:util';
import { benchEnvironment } from '../bench-environment';
import { median } from '../stats';
import { gauge, scrape } from '../service-metrics';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    settle: { type: 'string', default: '15' },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const settle = Number(values.settle);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cpuSeconds(url: string): Promise<number> {
  const seconds = gauge(await scrape(url), 'process_cpu_seconds_total');
  if (seconds === undefined) throw new Error(`${url}/metrics has no process_cpu_seconds_total`);
  return seconds;
}

/** Percent of one core each service used while idle, on a fresh stack. */
async function oneRun(env: TestEnvironment): Promise<Record<ServiceName, number>> {
  const stack = await startStack(env);
  try {
    await sleep(settle * 1000);
    const before = await Promise.all(ALL_SERVICES.map((s) => cpuSeconds(stack.urls[s])));
    await sleep(seconds * 1000);
    const after = await Promise.all(ALL_SERVICES.map((s) => cpuSeconds(stack.urls[s])));
    return Object.fromEntries(
      ALL_SERVICES.map((s, i) => [s, ((after[i] - before[i]) / seconds) * 100]),
    ) as Record<ServiceName, number>;
  } finally {
    await stack.stop();
  }
}

async function main() {
  const env = await benchEnvironment('idle');
  const results: Record<ServiceName, number>[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await oneRun(env));
    console.log(JSON.stringify({ run, cpuPercentOfOneCore: results[run] }));
  }
  const perService = Object.fromEntries(
    ALL_SERVICES.map((s) => [s, Math.round(median(results.map((r) => r[s])) * 100) / 100]),
  );
  const total = median(results.map((r) => ALL_SERVICES.reduce((sum, s) => sum + r[s], 0)));
  console.log(
    JSON.stringify(
      { seconds, runs, idleCpuPercentOfOneCore: perService, total: Math.round(total * 100) / 100 },
      null,
      2,
    ),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
