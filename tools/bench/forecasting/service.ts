// Forecast runs through the service: simulated daily SKUs imported through the gateway, then a
// run of every SKU (classification + selection + forecast) timed from POST to completion, first
// with one forecasting process, then with two in the same consumer group. In the same script,
// the baseline: the library on the same series in this single process.
//   node dist/tools/bench/forecasting/service.js [--count 10000] [--length 730] [--horizon 28] [--runs 3]
// Needs SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS (e.g. the stack of ./tools/dev up).
import { forecastDemand, simulateSkuDemand, SKU_SCALE_OPTIONS } from '@sextant/domain/forecasting';
import { freePort, serviceUrls, signUp, startStack } from '@sextant/testing';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { argValue, median } from './cli-args';
import { benchEnvironment } from '../bench-environment';

const count = Number(argValue('--count', '10000'));
const length = Number(argValue('--length', '730'));
const horizon = Number(argValue('--horizon', '28'));
const runs = Number(argValue('--runs', '3'));
const LAST_DAY = '2026-06-30';
const dayOf = (i: number) =>
  new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) - (length - 1 - i) * 86_400_000).toISOString().slice(0, 10);
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface BenchRun {
  runId: string;
  status: string;
  progress: { done: number; total: number; failed: number };
}

async function main() {
  const env = await benchEnvironment('forecasting', { fresh: true });
  const settings = { LOG_LEVEL: 'warn', OTEL_TRACES_FILE: '', RATE_LIMIT_MAX: '100000000' };
  const stack = await startStack(env, ['auth', 'forecasting', 'gateway'], settings);
  const workers: ReturnType<typeof spawn>[] = [];
  try {
    const owner = await signUp(stack.urls.gateway);
    // Access tokens last 10 minutes; a long import or run logs in again.
    let token = { headers: owner.headers, at: Date.now() };
    const headers = async () => {
      if (Date.now() - token.at > 8 * 60_000) {
        const login = await fetch(`${stack.urls.gateway}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: owner.email, password: owner.password }),
        });
        const { accessToken } = (await login.json()) as { accessToken: string };
        token = { headers: { authorization: `Bearer ${accessToken}` }, at: Date.now() };
      }
      return token.headers;
    };
    const call = async (
      method: string,
      url: string,
      body?: string,
      type = 'application/json',
    ): Promise<BenchRun> => {
      const response = await fetch(`${stack.urls.gateway}${url}`, {
        method,
        headers: { ...(await headers()), ...(body ? { 'content-type': type } : {}) },
        body,
      });
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
      return (await response.json()) as BenchRun;
    };

    const skus = simulateSkuDemand({ count, length, seed: 2026 });
    log(`importing ${count} SKUs x ${length} days (zero days left out: missing days are zero)`);
    const importStart = performance.now();
    let lines: string[] = [];
    const flush = async () => {
      if (lines.length)
        await call(
          'POST',
          '/api/v1/forecasting/history/imports',
          `sku,date,quantity\n${lines.join('\n')}`,
          'text/csv',
        );
      lines = [];
    };
    for (const [k, sku] of skus.entries()) {
      sku.values.forEach((q, i) => {
        if (q > 0 || i === 0 || i === length - 1) lines.push(`S${k},${dayOf(i)},${q}`);
      });
      if (lines.length > 35_000) await flush();
    }
    await flush();
    log(`imported in ${((performance.now() - importStart) / 1000).toFixed(0)} s`);

    const timeRun = async () => {
      const start = performance.now();
      const created = await call('POST', '/api/v1/forecasting/runs', JSON.stringify({ horizon }));
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const run = await call('GET', `/api/v1/forecasting/runs/${created.runId}`).catch((error: Error) => {
          log(`poll failed: ${error.message.slice(0, 300)}\n${stack.logs.forecasting.join('').slice(-3000)}`);
          return { status: 'running' } as BenchRun;
        });
        if (run.status !== 'running') {
          const seconds = (performance.now() - start) / 1000;
          log(
            `run ${run.status}: ${run.progress.done}/${run.progress.total} SKUs (${run.progress.failed} failed) in ${seconds.toFixed(1)} s`,
          );
          return seconds;
        }
      }
    };

    log('one forecasting process');
    const one = await timeRun();
    const port = await freePort();
    const worker = spawn(process.execPath, [path.join(__dirname, '../../../apps/forecasting/src/main.js')], {
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        KAFKA_BROKERS: env.brokers.join(','),
        KAFKA_TOPIC_PREFIX: env.topicPrefix,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        DATABASE_URL: serviceUrls(env, 'forecasting').appUrl,
        AUTH_JWKS_URL: `${stack.urls.auth}/.well-known/jwks.json`,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    workers.push(worker);
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    log('two forecasting processes');
    const two: number[] = [];
    for (let r = 0; r < runs; r++) two.push(await timeRun());

    // The first run above met a freshly imported table (autovacuum and the first statistics
    // still to come); one process again, after the second has left the group, on the settled table.
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    log('one forecasting process again');
    const oneSettled = await timeRun();

    log('baseline: the library in this process');
    const options = { horizon, season: 7, levels: [80, 95], ...SKU_SCALE_OPTIONS };
    const libraryStart = performance.now();
    for (const sku of skus) forecastDemand(sku.values, options);
    const library = (performance.now() - libraryStart) / 1000;

    console.log(`SKUs: ${count} x ${length} days, horizon ${horizon}, season 7, SKU speed profile`);
    console.log(
      `service, one process: ${one.toFixed(1)} s (first run after the import), ${oneSettled.toFixed(1)} s (last run)`,
    );
    console.log(
      `service, two processes: ${two.map((t) => t.toFixed(1)).join(', ')} s; median ${median(two).toFixed(1)} s`,
    );
    console.log(`library, single process, same run: ${library.toFixed(1)} s`);
    console.log(
      `ratios: two processes / library ${(median(two) / library).toFixed(2)}, one / two processes ${(one / median(two)).toFixed(2)}`,
    );
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await stack.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
