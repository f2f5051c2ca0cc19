// The whole-system load profile of issue #12 (item 6), all at the same time for --seconds:
//  - ingestion: tracking batches of 100 through the gateway as fast as --connections go (the goal
//    of issue 3 is 20,000 events/s; the figure reached is reported), or with --tracking-rate N
//    at N events/s, evenly spaced (open loop): what everything else does beside a given load;
//  - dashboard reads: overview and channel table at a fixed --rate through the gateway, over
//    tenants with a bulk-loaded year of marts (tools/bench/reporting/dataset.ts);
//  - a forecast run of every SKU, a marketing-mix fit and a Markov attribution run of a simulated
//    store loaded through the API beforehand (tools/simulate's world and demo runs);
// sampled every 5 s: each consumer group's lag (committed offsets vs. high watermarks), each
// service's resident memory and event-loop delay (its /metrics), PostgreSQL's active backends by
// wait and the load average; and over the whole profile the cores each process group used
// (tools/bench/process-cpu.ts), the reads' cache outcomes and the reads' time inside the gateway
// and inside reporting.
//   node dist/tools/bench/load/profile.js [--seconds 300] [--rate 200] [--connections 16]
//     [--tracking-rate N] [--tenants 20] [--world-days 210] [--scale 0.25] [--service-env KEY=VALUE ...]
// Needs SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS.
import {
  ALL_SERVICES,
  call,
  type SignedUpOwner,
  signUp,
  simulateWorld,
  startDemoRuns,
  startStack,
  loadWorld,
  waitForPipeline,
} from '@sextant/testing';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { campaignName, loadDataset } from '../reporting/dataset';
import { openLoop } from '../open-loop';
import { dashboardPaths, dayOf, fixedRate, readCacheLookups, round, trackEvent } from '../reporting/requests';
import { percentile } from '../stats';
import { cpuSecondsByGroup, machineCpuSeconds, microsecondsPer } from '../process-cpu';
import { benchDatabaseUrl, benchEnvironment, serviceEnvironment } from '../bench-environment';
import { gauge, scrape, serverDurations } from '../service-metrics';
import { Client } from 'pg';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    rate: { type: 'string', default: '200' },
    connections: { type: 'string', default: '16' },
    'tracking-rate': { type: 'string' },
    'service-env': { type: 'string', multiple: true, default: [] },
    tenants: { type: 'string', default: '20' },
    'world-days': { type: 'string', default: '210' },
    scale: { type: 'string', default: '0.25' },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
/** Tracking events per second, open loop; undefined: as fast as the connections go. */
const trackingRate = values['tracking-rate'] === undefined ? undefined : Number(values['tracking-rate']);
const DAY_MS = 86_400_000;
const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const CONSUMERS = ['auth', 'ingestion', 'attribution', 'forecasting', 'reporting'] as const;
const READ_ROUTE = /\/(overview|channels)$/;

interface Sample {
  at: number;
  load: number;
  lag: Record<string, number>;
  rssMb: Record<string, number>;
  /** Each service's event-loop delay p99 since the previous sample. */
  loopP99Ms: Record<string, number>;
  /** PostgreSQL backends running a statement, by what they wait for ('cpu' when nothing). */
  activeBackends: Record<string, number>;
}

async function main() {
  const env = await benchEnvironment('load', { fresh: true });
  const dbUrl = benchDatabaseUrl(env);
  const stack = await startStack(env, ALL_SERVICES, {
    LOG_LEVEL: 'warn',
    OTEL_TRACES_FILE: '',
    RATE_LIMIT_MAX: '100000000',
    AUTH_ACCESS_TOKEN_TTL_SECONDS: '7200',
    ...serviceEnvironment(values['service-env']),
  });
  const kafka = new Kafka({ brokers: env.brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const database = new Client({ connectionString: dbUrl });
  await database.connect();
  try {
    // The store whose analyses run during the profile, loaded and caught up beforehand.
    const world = simulateWorld({ seed: 1, days: Number(values['world-days']), scale: Number(values.scale) });
    const account = {
      tenantName: 'Load profile store',
      email: `${randomUUID()}@example.com`,
      password: 'load profile pw',
    };
    let started = Date.now();
    await loadWorld(world, { gatewayUrl: stack.urls.gateway, account });
    const { accessToken } = await call<{ accessToken: string }>(
      stack.urls.gateway,
      'POST',
      '/api/v1/auth/login',
      {
        body: { email: account.email, password: account.password },
      },
    );
    await waitForPipeline(stack.urls.gateway, accessToken, world);
    log(
      `simulated store (${world.days} days) loaded and caught up in ${round((Date.now() - started) / 1000)} s`,
    );

    started = Date.now();
    const owners: SignedUpOwner[] = [];
    for (let i = 0; i < Number(values.tenants); i++)
      owners.push(await signUp(stack.urls.gateway, `Load tenant ${i}`));
    const yesterday = Date.now() - DAY_MS;
    const rows = await loadDataset(dbUrl, {
      tenants: owners.map((o) => o.tenantId),
      channels: 30,
      campaigns: 50,
      days: 365,
      ordersPerDay: 40,
      lastDay: dayOf(yesterday),
    });
    log(
      `${owners.length} tenants with a year of marts in ${round((Date.now() - started) / 1000)} s: ${JSON.stringify(rows)}`,
    );

    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const sample: Sample = {
          at: Date.now(),
          load: loadavg()[0],
          lag: {},
          rssMb: {},
          loopP99Ms: {},
          activeBackends: {},
        };
        for (const service of CONSUMERS) {
          const committed = await kafkaAdmin.fetchOffsets({ groupId: `${env.topicPrefix}${service}` });
          let lag = 0;
          for (const topic of committed) {
            const ends = await kafkaAdmin.fetchTopicOffsets(topic.topic);
            for (const end of ends) {
              const offset = Number(
                topic.partitions.find((p) => p.partition === end.partition)?.offset ?? -1,
              );
              lag += Number(end.high) - Math.max(0, offset);
            }
          }
          sample.lag[service] = lag;
        }
        for (const service of ALL_SERVICES) {
          const metrics = await scrape(stack.urls[service]);
          const rss = gauge(metrics, 'process_resident_memory_bytes');
          if (rss !== undefined) sample.rssMb[service] = round(rss / 2 ** 20);
          const loopP99 = gauge(metrics, 'nodejs_eventloop_lag_p99_seconds');
          if (loopP99 !== undefined) sample.loopP99Ms[service] = round(loopP99 * 1000);
        }
        const { rows } = await database.query<{ wait: string; n: number }>(
          `select coalesce(wait_event_type || ':' || wait_event, 'cpu') as wait, count(*)::int as n
             from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() group by 1`,
        );
        for (const { wait, n } of rows) sample.activeBackends[wait] = n;
        samples.push(sample);
        await sleep(5_000);
      }
    })();

    log(`profile: ${seconds} s of ingestion, reads at ${rate}/s, forecast + MMM fit + attribution run`);
    const profileStart = Date.now();
    const cpuBefore = { ...cpuSecondsByGroup(env.database), 'load generator': ownCpuSeconds() };
    const machineBefore = machineCpuSeconds();
    const runs = await startDemoRuns(stack.urls.gateway, accessToken, world);
    const analyses: Record<
      string,
      { status: string; seconds?: number; progress?: { done: number; total: number } }
    > = {};
    const watched = {
      forecast: `/api/v1/forecasting/runs/${runs.forecastRunId}`,
      attribution: `/api/v1/attribution/runs/${runs.attributionRunId}`,
      ...(runs.mmmFitId ? { mmm: `/api/v1/attribution/mmm/fits/${runs.mmmFitId}` } : {}),
    };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const [name, url] of Object.entries(watched)) {
          if (analyses[name]?.seconds !== undefined) continue;
          const { status, progress } = await call<{
            status: string;
            progress?: { done: number; total: number };
          }>(stack.urls.gateway, 'GET', url, { token: accessToken });
          analyses[name] = {
            status,
            progress,
            ...(['queued', 'running'].includes(status)
              ? {}
              : { seconds: round((Date.now() - profileStart) / 1000) }),
          };
        }
        await sleep(2_000);
      }
    })();

    const prefix = randomUUID();
    const batchOf = (i: number) => ({
      headers: { ...owners[i % owners.length].headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: Array.from({ length: 100 }, (_, j) =>
          trackEvent(`${prefix}-${i}-${j}`, i * 100 + j, campaignName(1 + ((i + j) % 50))),
        ),
      }),
    });
    const batchPath = '/api/v1/ingestion/v1/batch';

    async function asFastAsItGoes() {
      let request = 0;
      const result = await autocannon({
        url: `${stack.urls.gateway}${batchPath}`,
        connections: Number(values.connections),
        duration: seconds,
        requests: [{ method: 'POST', setupRequest: (r) => ({ ...r, ...batchOf(request++) }) }],
      });
      return {
        acceptedEventsPerSecond: Math.round((result['2xx'] * 100) / seconds),
        batchP50Ms: result.latency.p50,
        batchP99Ms: result.latency.p99,
        failures: result.non2xx + result.errors,
      };
    }

    async function atTrackingRate(eventsPerSecond: number) {
      const result = await openLoop(
        stack.urls.gateway,
        (i) => ({ method: 'POST', path: batchPath, ...batchOf(i) }),
        seconds,
        eventsPerSecond / 100,
        Number(values.connections),
      );
      return {
        askedEventsPerSecond: eventsPerSecond,
        acceptedEventsPerSecond: Math.round(result.achievedRate * 100),
        batchP50Ms: round(percentile(result.latencies, 50)),
        batchP99Ms: round(percentile(result.latencies, 99)),
        failures: result.errors,
      };
    }

    const [ingestion, reads] = await Promise.all([
      trackingRate === undefined ? asFastAsItGoes() : atTrackingRate(trackingRate),
      fixedRate(stack.urls.gateway, dashboardPaths(yesterday), owners, seconds, rate),
    ]);
    const cpuAfter = { ...cpuSecondsByGroup(env.database), 'load generator': ownCpuSeconds() };
    const machineAfter = machineCpuSeconds();
    const loadSeconds = (Date.now() - profileStart) / 1000;
    watching = false;
    await watcher;
    sampling = false;
    await sampler;

    const sampled = (pick: (s: Sample) => number | undefined) =>
      samples.map(pick).filter((x): x is number => x !== undefined);
    const max = (pick: (s: Sample) => number | undefined) => Math.max(...sampled(pick));
    const median = (pick: (s: Sample) => number | undefined) => percentile(sampled(pick), 50);
    const reportingMetrics = await scrape(stack.urls.reporting);
    const summary = {
      seconds,
      ingestion: { ...ingestion, goal: 20_000 },
      dashboardReads: {
        targetRate: rate,
        ...reads,
        cacheLookups: readCacheLookups(reportingMetrics),
        // The same reads as each service timed them (from receiving to answering): what the
        // load generator measured beyond the gateway's figure was spent queued before it.
        serverDurations: {
          gateway: serverDurations(await scrape(stack.urls.gateway), READ_ROUTE),
          reporting: serverDurations(reportingMetrics, READ_ROUTE),
        },
      },
      analyses: Object.fromEntries(
        Object.entries(analyses).map(([name, a]) => [
          name,
          a.seconds === undefined
            ? `${a.status} at the end${a.progress ? ` (${a.progress.done} of ${a.progress.total} done)` : ''}`
            : `${a.status} after ${a.seconds} s`,
        ]),
      ),
      ...(runs.mmmSkipped ? { mmmSkipped: runs.mmmSkipped } : {}),
      // From the start of the profile until its last read was answered (the reads may queue).
      coresUsed: Object.fromEntries(
        Object.entries(microsecondsPer(loadSeconds, cpuBefore, cpuAfter)).map(([group, us]) => [
          group,
          round(us / 1e6, 2),
        ]),
      ),
      // The whole machine's cores over the same time: busy (anything, ours or not), waiting for
      // I/O, idle; of 2 on the machine the figures here come from.
      machineCores: Object.fromEntries(
        (['busy', 'ioWait', 'idle'] as const).map((kind) => [
          kind,
          round((machineAfter[kind] - machineBefore[kind]) / loadSeconds, 2),
        ]),
      ),
      consumerLag: Object.fromEntries(
        CONSUMERS.map((s) => [s, { max: max((x) => x.lag[s]), atEnd: samples.at(-1)?.lag[s] }]),
      ),
      rssMb: Object.fromEntries(
        ALL_SERVICES.map((s) => [s, { max: max((x) => x.rssMb[s]), atEnd: samples.at(-1)?.rssMb[s] }]),
      ),
      eventLoopDelayP99Ms: Object.fromEntries(
        ALL_SERVICES.map((s) => [
          s,
          { max: max((x) => x.loopP99Ms[s]), median: median((x) => x.loopP99Ms[s]) },
        ]),
      ),
      // Mean over the samples of the backends running a statement, by wait.
      activeBackends: Object.fromEntries(
        [...new Set(samples.flatMap((x) => Object.keys(x.activeBackends)))]
          .map(
            (wait) =>
              [
                wait,
                round(samples.reduce((a, x) => a + (x.activeBackends[wait] ?? 0), 0) / samples.length, 2),
              ] as const,
          )
          .sort((a, b) => b[1] - a[1]),
      ),
      loadAverage1m: {
        max: round(
          max((x) => x.load),
          2,
        ),
        mean: round(samples.reduce((a, x) => a + x.load, 0) / samples.length, 2),
      },
    };
    console.log(JSON.stringify(summary, null, 2));
    if (analyses.forecast?.seconds === undefined)
      console.log(
        `forecasting's recent log (its run had not ended):\n${stack.logs.forecasting.join('').slice(-3_000)}`,
      );
    console.log(
      'samples (every 5 s): t, load, lag per group, RSS MB and event-loop delay p99 ms per service, active PostgreSQL backends by wait',
    );
    for (const s of samples)
      console.log(
        JSON.stringify({
          t: round((s.at - profileStart) / 1000, 0),
          load: round(s.load, 2),
          lag: s.lag,
          rssMb: s.rssMb,
          loopP99Ms: s.loopP99Ms,
          activeBackends: s.activeBackends,
        }),
      );
  } finally {
    await database.end();
    await kafkaAdmin.disconnect();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
