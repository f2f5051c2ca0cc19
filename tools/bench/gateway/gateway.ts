// Gateway overhead, in the same run: the same request straight to the upstream and through the
// gateway. Two upstreams: a minimal HTTP service (`hello`: the gateway's own cost, nothing else)
// and the reporting service's ping read (`reporting`: one tenant-scoped PostgreSQL transaction).
// Throughput with 50 connections, then latency at a fixed rate. Medians of --runs runs.
//   node dist/tools/bench/gateway/gateway.js [--runs 3] [--seconds 10] [--rate 2000]
// Needs SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS (e.g. the stack of ./tools/dev up).
import { signUp, startStack } from '@sextant/testing';
import autocannon from 'autocannon';
import { openLoop } from '../open-loop';
import { median, percentile } from '../stats';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { benchEnvironment } from '../bench-environment';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const rate = Number(values.rate);

interface Result {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

async function load(
  url: string,
  connections: number,
  overallRate?: number,
  headers: Record<string, string> = {},
): Promise<Result> {
  if (overallRate) {
    const { origin, pathname, search } = new URL(url);
    const fixed = await openLoop(origin, () => ({ path: pathname + search, headers }), seconds, overallRate);
    const at = (p: number) => +percentile(fixed.latencies, p).toFixed(2);
    return { rps: fixed.achievedRate, p50: at(50), p99: at(99), failures: fixed.errors };
  }
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}

function summarise(results: Result[]): Result {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: +median(results.map((r) => r.p50)).toFixed(2),
    p99: +median(results.map((r) => r.p99)).toFixed(2),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
  };
}

async function compare(
  name: string,
  direct: string,
  viaGateway: string,
  headers: Record<string, string> = {},
) {
  await load(direct, 10, undefined, headers);
  await load(viaGateway, 10, undefined, headers);
  const rows: Record<string, Result[]> = {
    direct: [],
    gateway: [],
    [`direct at ${rate}/s`]: [],
    [`gateway at ${rate}/s`]: [],
  };
  for (let run = 0; run < runs; run++) {
    rows.direct.push(await load(direct, 50, undefined, headers));
    rows.gateway.push(await load(viaGateway, 50, undefined, headers));
    rows[`direct at ${rate}/s`].push(await load(direct, 50, rate, headers));
    rows[`gateway at ${rate}/s`].push(await load(viaGateway, 50, rate, headers));
  }
  const summary = Object.fromEntries(Object.entries(rows).map(([row, results]) => [row, summarise(results)]));
  console.log(`\n${name}: medians of ${runs} runs of ${seconds} s (latency in ms)`);
  console.table(summary);
  const fixed = (who: string) => summary[`${who} at ${rate}/s`];
  console.log(
    JSON.stringify({
      upstream: name,
      throughputRatio: +(summary.gateway.rps / summary.direct.rps).toFixed(3),
      addedP50Ms: fixed('gateway').p50 - fixed('direct').p50,
      addedP99Ms: fixed('gateway').p99 - fixed('direct').p99,
      achievedRate: { direct: fixed('direct').rps, gateway: fixed('gateway').rps },
      goals: { throughputRatio: '>= 0.7', addedP50Ms: '< 1', addedP99Ms: '< 5' },
    }),
  );
}

async function main() {
  const env = await benchEnvironment('gateway');

  const hello = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}'),
  );
  await new Promise<void>((resolve) => hello.listen(0, '127.0.0.1', resolve));
  const helloUrl = `http://127.0.0.1:${(hello.address() as AddressInfo).port}`;
  // No trace file and quiet logs: the benchmark measures the request path, not the exporters.
  const stack = await startStack(env, ['auth', 'ingestion', 'reporting', 'gateway'], {
    LOG_LEVEL: 'warn',
    ...(process.env.BENCH_CPU_PROF_DIR
      ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}` }
      : {}),
    OTEL_TRACES_FILE: '',
    RATE_LIMIT_MAX: '100000000',
    ATTRIBUTION_URL: helloUrl,
    ...(process.env.BENCH_NO_OTEL ? { OTEL_SDK_DISABLED: 'true' } : {}),
  });
  try {
    // Every /api/v1 request needs a credential at the gateway now: the same access token on both
    // sides (verified once, then served from the verifier's cache).
    const owner = await signUp(stack.urls.gateway, 'Benchmark shop');
    await compare(
      'hello',
      `${helloUrl}/api/v1/attribution/hello`,
      `${stack.urls.gateway}/api/v1/attribution/hello`,
      owner.headers,
    );

    const recorded = await fetch(`${stack.urls.gateway}/api/v1/ingestion/pings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...owner.headers },
      body: '{}',
    });
    const { pingId } = (await recorded.json()) as { pingId: string };
    const path = `/api/v1/reporting/pings/${pingId}`;
    for (
      let i = 0;
      i < 100 && (await fetch(`${stack.urls.reporting}${path}`, { headers: owner.headers })).status !== 200;
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    await compare(
      'reporting',
      `${stack.urls.reporting}${path}`,
      `${stack.urls.gateway}${path}`,
      owner.headers,
    );
  } finally {
    await stack.stop();
    hello.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
