// Reporting against issue #8's goals, in one run over one loaded data set:
//  - queries: overview KPIs (with the previous period) and the channel table, 30- and 365-day
//    periods, two attribution models, tokens of every tenant in turn, at a fixed rate through the
//    gateway; baseline in the same run: the same requests straight to the reporting service;
//  - freshness through ingestion: tracking batches posted through the gateway as fast as the box
//    allows, with probe events whose time from ingestion's 2xx to their mart row is measured;
//  - mart capacity: ingestion.event.accepted.v1 produced straight to Kafka at --kafka-rate, with
//    the same probes (from the produce ack) and the reporting group's lag;
//  - mart drain rate: --backlog-events produced to Kafka while reporting is frozen (SIGSTOP), then
//    the time its group takes to commit them all once thawed (no load generator competing for CPU);
//  - exports: the first tenant's whole period as CSV, straight and through the gateway, there also
//    gzip- and br-compressed (rows/s).
// Tenants sign up through the gateway (real tokens); their year of marts is bulk-loaded (dataset.ts).
// Ingestion and reporting run as --replicas processes each (default 2, as k8s/base deploys them):
// reporting's share the accepted-events partitions; the gateway balances requests; "straight" ones go
// to the first.
//   node dist/tools/bench/reporting/reporting.js [--runs 3] [--seconds 20] [--rate 200] [--replicas 2]
//     [--tenants 100] [--channels 30] [--campaigns 50] [--days 365] [--orders-per-day 40]
//     [--freshness-seconds 30] [--kafka-rate 20000] [--skip-queries] [--skip-freshness] [--skip-exports]
//     [--backlog-events 200000] (0: no drain-rate phase)
//     [--read-cache-entries 10000] [--service-env KEY=VALUE ...] (settings for the services)
// Needs SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS.
import { type RunningStack, signUp, startStack, type SignedUpOwner } from '@sextant/testing';
import autocannon from 'autocannon';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { campaignName, channelName, loadDataset } from './dataset';
import {
  dashboardPaths,
  dayOf,
  fixedRate,
  type Latency,
  readCacheLookups,
  round,
  trackEvent,
} from './requests';
import { benchDatabaseUrl, benchEnvironment, serviceEnvironment } from '../bench-environment';
import { median, percentile } from '../stats';
import { scrape } from '../service-metrics';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    replicas: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '200' },
    tenants: { type: 'string', default: '100' },
    channels: { type: 'string', default: '30' },
    campaigns: { type: 'string', default: '50' },
    days: { type: 'string', default: '365' },
    'orders-per-day': { type: 'string', default: '40' },
    'freshness-seconds': { type: 'string', default: '30' },
    'kafka-rate': { type: 'string', default: '20000' },
    'drain-seconds': { type: 'string', default: '60' },
    'read-cache-entries': { type: 'string', default: '10000' },
    'skip-queries': { type: 'boolean', default: false },
    'skip-freshness': { type: 'boolean', default: false },
    'skip-exports': { type: 'boolean', default: false },
    'backlog-events': { type: 'string', default: '200000' },
    'service-env': { type: 'string', multiple: true, default: [] },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const freshnessSeconds = Number(values['freshness-seconds']);
const kafkaRate = Number(values['kafka-rate']);
const drainSeconds = Number(values['drain-seconds']);
const DAY_MS = 86_400_000;
const load = () => loadavg().map((x) => +x.toFixed(2));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One CSV export read to its end in the given content encoding (fetch decompresses gzip and br):
 * rows, uncompressed MB, time to the first byte and to the last.
 */
async function timedExport(base: string, path: string, owner: SignedUpOwner, encoding: string) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    headers: { ...owner.headers, 'accept-encoding': encoding },
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  const received = response.headers.get('content-encoding') ?? 'identity';
  if (received !== encoding) throw new Error(`${path} asked for ${encoding}, got ${received}`);
  let firstByteMs = 0;
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    firstByteMs ||= performance.now() - started;
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    rows: lines - 1,
    mb: round(bytes / 1e6),
    firstByteMs: round(firstByteMs),
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round((lines - 1) / seconds),
  };
}

/** Unloaded cost of each request kind: 20 sequential requests straight to reporting. */
async function perKind(base: string, paths: string[], owners: SignedUpOwner[]) {
  const rows: Record<string, { p50: number; max: number }> = {};
  for (const p of paths) {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const response = await fetch(`${base}${p}`, { headers: owners[i % owners.length].headers });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${p} answered ${response.status}`);
      times.push(performance.now() - started);
    }
    rows[p.replace('/api/v1/reporting/', '').replace(/from=[^&]+&to=[^&]+/, (m) => `${periodDays(m)}d`)] = {
      p50: round(percentile(times, 50)),
      max: round(Math.max(...times)),
    };
  }
  return rows;
}

const periodDays = (query: string) => {
  const [, from, to] = /from=([^&]+)&to=(.+)/.exec(query)!;
  return (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
};

/**
 * Probes: events with a campaign of their own; `sent` is when the pipeline accepted one (2xx or
 * produce ack), `seen` when its fct_daily_channel row is there (polled every 50 ms).
 */
class Probes {
  private readonly sent = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private polling = true;
  private readonly poller: Promise<void>;

  constructor(
    private readonly db: Client,
    private readonly tenantId: string,
  ) {
    this.poller = this.poll();
  }

  accepted(campaign: string) {
    this.sent.set(campaign, Date.now());
  }

  private async poll() {
    while (this.polling) {
      const waiting = [...this.sent.keys()].filter((c) => !this.seen.has(c));
      if (waiting.length) {
        const { rows } = await this.db.query(
          `select campaign from reporting.fct_daily_channel where tenant_id = $1 and day = $2 and campaign = any($3)`,
          [this.tenantId, dayOf(Date.now()), waiting],
        );
        const now = Date.now();
        for (const row of rows) this.seen.set(row.campaign as string, now);
      }
      await sleep(50);
    }
  }

  /** Waits (at most `ms`) for every probe, then the freshness of those seen. */
  async finish(ms: number) {
    const deadline = Date.now() + ms;
    while (this.seen.size < this.sent.size && Date.now() < deadline) await sleep(200);
    this.polling = false;
    await this.poller;
    const ages = [...this.seen].map(([c, at]) => (at - this.sent.get(c)!) / 1000);
    return {
      probes: this.sent.size,
      unseen: this.sent.size - this.seen.size,
      p50Seconds: round(percentile(ages, 50), 2),
      p95Seconds: round(percentile(ages, 95), 2),
      maxSeconds: round(Math.max(...ages), 2),
    };
  }
}

/** The reporting group's lag on the accepted-events topic, sampled every second. */
/** The group's committed offsets on the topic and the topic's end offsets, summed over partitions. */
async function groupProgress(admin: Admin, topic: string, group: string) {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  let end = 0;
  let done = 0;
  for (const partition of ends) {
    const offset = Number(
      committed?.partitions.find((p) => p.partition === partition.partition)?.offset ?? -1,
    );
    done += Math.max(0, offset);
    end += Number(partition.high);
  }
  return { committed: done, end };
}

function lagSampler(admin: Admin, topic: string, group: string) {
  const samples: { at: number; lag: number; committed: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { committed, end } = await groupProgress(admin, topic, group);
      samples.push({ at: Date.now(), lag: end - committed, committed });
      await sleep(1000);
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Tracking batches of 100 through the gateway as fast as 16 connections go, with probes. */
async function freshnessThroughIngestion(
  gateway: string,
  owners: SignedUpOwner[],
  probes: Probes,
  admin: Admin,
  topic: string,
  group: string,
  campaigns: number,
) {
  let request = 0;
  const prefix = randomUUID();
  const lag = lagSampler(admin, topic, group);
  let probing = true;
  const probeLoop = (async () => {
    for (let i = 0; probing; i++) {
      const campaign = `probe-${prefix.slice(0, 8)}-${i}`;
      const response = await fetch(`${gateway}/api/v1/ingestion/v1/batch`, {
        method: 'POST',
        headers: { ...owners[0].headers, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: [trackEvent(`${prefix}-probe-${i}`, i, campaign)] }),
      });
      if (response.ok) probes.accepted(campaign);
      await sleep(250);
    }
  })();
  const result = await autocannon({
    url: `${gateway}/api/v1/ingestion/v1/batch`,
    connections: 16,
    duration: freshnessSeconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (r) => {
          const i = request++;
          const owner = owners[i % owners.length];
          const batch = Array.from({ length: 100 }, (_, j) =>
            trackEvent(`${prefix}-${i}-${j}`, i * 100 + j, campaignName(1 + ((i + j) % campaigns))),
          );
          return {
            ...r,
            headers: { ...owner.headers, 'content-type': 'application/json' },
            body: JSON.stringify({ batch }),
          };
        },
      },
    ],
  });
  probing = false;
  await probeLoop;
  const freshness = await probes.finish(drainSeconds * 1000);
  await lag.stop();
  return {
    acceptedPerSecond: Math.round((result['2xx'] * 100) / freshnessSeconds),
    failures: result.non2xx + result.errors,
    maxLag: Math.max(...lag.samples.map((s) => s.lag)),
    finalLag: lag.samples.at(-1)?.lag ?? NaN,
    ...freshness,
  };
}

/** An accepted event as ingestion publishes it (contracts/events/v1). */
function acceptedEvent(tenantId: string, channel: string, campaign: string) {
  const now = new Date().toISOString();
  return {
    tenantId,
    eventId: randomUUID(),
    messageId: randomUUID(),
    type: 'page',
    event: null,
    profileId: randomUUID(),
    anonymousId: 'anon',
    userId: null,
    timestamp: now,
    originalTimestamp: now,
    sentAt: now,
    receivedAt: now,
    futureTimestamp: false,
    sourceId: 'web',
    touch: {
      channel,
      source: 'google',
      medium: 'cpc',
      campaign,
      term: null,
      content: null,
      clickIdType: null,
      clickId: null,
      referrerHost: null,
    },
    consent: null,
    properties: {},
    traits: {},
    context: {},
  };
}

/** The n-th event of a load: tenants in turn, each campaign of the shape in turn (on its channel). */
function spreadEvent(n: number, tenants: string[], shape: { channels: number; campaigns: number }) {
  const tenantId = tenants[n % tenants.length];
  const k = 1 + (n % shape.campaigns);
  const event = acceptedEvent(tenantId, channelName(1 + ((k - 1) % shape.channels)), campaignName(k));
  return { tenantId, event };
}

/** An accepted event as ingestion's outbox relay publishes it (key and headers). */
const asRelayed = ({ tenantId, event }: { tenantId: string; event: object }) => ({
  key: tenantId,
  value: JSON.stringify(event),
  headers: {
    'event-id': randomUUID(),
    'tenant-id': tenantId,
    schema: 'ingestion.event.accepted.v1',
    'produced-at': new Date().toISOString(),
  },
});

/**
 * The marts' drain rate: `count` accepted events (spread over the tenants and campaigns as in
 * martCapacity) produced while reporting is frozen, then the time from thawing it until its group
 * has committed them all. Reported from the thaw (rejoining the group included) and from its
 * first commit (the steady rate).
 */
async function martDrain(
  kafka: Kafka,
  stack: RunningStack,
  topic: string,
  group: string,
  tenants: string[],
  admin: Admin,
  shape: { channels: number; campaigns: number },
  count: number,
) {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  stack.freeze('reporting');
  try {
    for (let sent = 0; sent < count; sent += 1_000) {
      const messages = Array.from({ length: Math.min(1_000, count - sent) }, (_, i) =>
        asRelayed(spreadEvent(sent + i, tenants, shape)),
      );
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  const { committed: before, end: target } = await groupProgress(admin, topic, group);
  const thawed = Date.now();
  stack.thaw('reporting');
  let firstCommitAt = 0;
  let committed = before;
  while (committed < target && Date.now() - thawed < 600_000) {
    await sleep(250);
    ({ committed } = await groupProgress(admin, topic, group));
    if (!firstCommitAt && committed > before) firstCommitAt = Date.now();
  }
  const done = Date.now();
  const drained = committed - before;
  return {
    events: drained,
    secondsFromThaw: round((done - thawed) / 1000, 1),
    perSecondFromThaw: Math.round(drained / ((done - thawed) / 1000)),
    secondsToFirstCommit: round((firstCommitAt - thawed) / 1000, 1),
    perSecondFromFirstCommit: Math.round(drained / Math.max(0.001, (done - firstCommitAt) / 1000)),
    lagLeft: target - committed,
  };
}

/** Accepted events straight to Kafka at --kafka-rate (ticks of 50 ms), with probes. */
async function martCapacity(
  kafka: Kafka,
  topic: string,
  group: string,
  tenants: string[],
  probes: Probes,
  admin: Admin,
  shape: { channels: number; campaigns: number },
) {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const lag = lagSampler(admin, topic, group);
  const perTick = Math.round(kafkaRate / 20);
  const started = Date.now();
  let sent = 0;
  let tick = 0;
  const prefix = randomUUID().slice(0, 8);
  const inFlight: Promise<unknown>[] = [];
  while (Date.now() - started < freshnessSeconds * 1000) {
    const messages = Array.from({ length: perTick }, (_, i) => spreadEvent(sent + i, tenants, shape));
    const probe = tick % 5 === 0 ? `probe-${prefix}-${tick}` : undefined;
    if (probe) messages.push({ tenantId: tenants[0], event: acceptedEvent(tenants[0], 'channel_01', probe) });
    const send = producer
      .send({
        topic,
        acks: -1,
        messages: messages.map(asRelayed),
      })
      .then(() => probe && probes.accepted(probe));
    inFlight.push(send);
    sent += messages.length;
    tick++;
    const next = started + tick * 50;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  await Promise.all(inFlight);
  const producedSeconds = (Date.now() - started) / 1000;
  const freshness = await probes.finish(drainSeconds * 1000);
  await lag.stop();
  await producer.disconnect();
  // The consumer's own rate: committed offsets over the sampled window in which it was busy.
  const busy = lag.samples.filter((s) => s.lag > 0);
  const first = lag.samples[0];
  const last = busy.at(-1) ?? lag.samples.at(-1)!;
  const consumedPerSecond = (last.committed - first.committed) / Math.max(1, (last.at - first.at) / 1000);
  return {
    producedPerSecond: Math.round(sent / producedSeconds),
    consumedPerSecond: Math.round(consumedPerSecond),
    maxLag: Math.max(...lag.samples.map((s) => s.lag)),
    finalLag: lag.samples.at(-1)?.lag ?? NaN,
    ...freshness,
  };
}

async function main() {
  const env = await benchEnvironment('reporting', { fresh: true });
  const dbUrl = benchDatabaseUrl(env);
  const stack = await startStack(
    env,
    ['auth', 'ingestion', 'reporting', 'gateway'],
    {
      LOG_LEVEL: 'warn',
      OTEL_TRACES_FILE: '',
      RATE_LIMIT_MAX: '100000000',
      AUTH_ACCESS_TOKEN_TTL_SECONDS: '7200',
      REPORTING_READ_CACHE_ENTRIES: values['read-cache-entries'],
      ...(process.env.BENCH_CPU_PROF_DIR
        ? {
            NODE_OPTIONS: `--disable-warning=TimeoutNegativeWarning --cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`,
          }
        : {}),
      ...serviceEnvironment(values['service-env']),
    },
    { replicas: { ingestion: Number(values.replicas), reporting: Number(values.replicas) } },
  );
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  const kafka = new Kafka({ brokers: env.brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const shape = {
      channels: Number(values.channels),
      campaigns: Number(values.campaigns),
      days: Number(values.days),
      ordersPerDay: Number(values['orders-per-day']),
    };
    let started = Date.now();
    const owners: SignedUpOwner[] = [];
    for (let i = 0; i < Number(values.tenants); i += 4)
      owners.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(4, Number(values.tenants) - i) }, (_, j) =>
            signUp(stack.urls.gateway, `Benchmark shop ${i + j}`),
          ),
        )),
      );
    console.log(`signed up ${owners.length} tenants in ${round((Date.now() - started) / 1000)} s`);
    started = Date.now();
    const yesterday = Date.now() - DAY_MS;
    const rows = await loadDataset(dbUrl, {
      ...shape,
      tenants: owners.map((o) => o.tenantId),
      lastDay: dayOf(yesterday),
    });
    console.log(`loaded in ${round((Date.now() - started) / 1000)} s, rows per table:`, rows);

    if (!values['skip-queries']) {
      const paths = dashboardPaths(yesterday);
      console.log('unloaded, straight to reporting (ms):');
      console.table(await perKind(stack.urls.reporting, paths, owners));
      await fixedRate(stack.urls.reporting, paths, owners, 5, rate);
      await fixedRate(stack.urls.gateway, paths, owners, 5, rate);
      const direct: Latency[] = [];
      const gateway: Latency[] = [];
      for (let run = 0; run < runs; run++) {
        const loadBefore = load();
        direct.push(await fixedRate(stack.urls.reporting, paths, owners, seconds, rate));
        gateway.push(await fixedRate(stack.urls.gateway, paths, owners, seconds, rate));
        console.log(JSON.stringify({ run, direct: direct.at(-1), gateway: gateway.at(-1), loadBefore }));
      }
      const summary = (xs: Latency[]) => ({
        achievedRate: round(median(xs.map((x) => x.achievedRate))),
        p50: round(median(xs.map((x) => x.p50))),
        p95: round(median(xs.map((x) => x.p95))),
        p99: round(median(xs.map((x) => x.p99))),
        errors: xs.reduce((sum, x) => sum + x.errors, 0),
      });
      console.log(`\nqueries at ${rate}/s: medians of ${runs} runs of ${seconds} s (ms), load ${load()}`);
      console.table({ direct: summary(direct), gateway: summary(gateway) });
      console.log('reporting read cache lookups (whole run; the first replica):');
      console.log(readCacheLookups(await scrape(stack.urls.reporting)));
    }

    if (!values['skip-exports']) {
      const path = `/api/v1/reporting/exports/daily-channel?from=${dayOf(yesterday - (shape.days - 1) * DAY_MS)}&to=${dayOf(yesterday)}`;
      const results: Record<string, Awaited<ReturnType<typeof timedExport>>> = {};
      for (let run = 0; run < runs; run++) {
        results[`direct ${run + 1}`] = await timedExport(stack.urls.reporting, path, owners[0], 'identity');
        for (const encoding of ['identity', 'gzip', 'br'])
          results[`gateway ${encoding} ${run + 1}`] = await timedExport(
            stack.urls.gateway,
            path,
            owners[0],
            encoding,
          );
      }
      console.log(`\nCSV export of one tenant's ${shape.days} days, ${runs} runs each, load ${load()}`);
      console.table(results);
    }

    const topic = `${env.topicPrefix}ingestion.event.accepted.v1`;
    const group = `${env.topicPrefix}reporting`;
    const tenants = owners.map((o) => o.tenantId);
    const backlog = Number(values['backlog-events']);
    if (backlog > 0) {
      const drains: Awaited<ReturnType<typeof martDrain>>[] = [];
      for (let run = 0; run < runs; run++) {
        drains.push(await martDrain(kafka, stack, topic, group, tenants, admin, shape, backlog));
        console.log(JSON.stringify({ run, drain: drains.at(-1), load: load() }));
      }
      console.log(`\nmart drain rate: ${backlog} events over ${tenants.length} tenants, ${runs} runs`);
      console.table(drains);
    }

    if (!values['skip-freshness']) {
      const ingestion = [];
      const capacity = [];
      for (let run = 0; run < runs; run++) {
        const loadBefore = load();
        ingestion.push(
          await freshnessThroughIngestion(
            stack.urls.gateway,
            owners,
            new Probes(db, tenants[0]),
            admin,
            topic,
            group,
            shape.campaigns,
          ),
        );
        console.log(JSON.stringify({ run, ingestion: ingestion.at(-1), loadBefore, loadAfter: load() }));
        const loadBeforeKafka = load();
        capacity.push(
          await martCapacity(kafka, topic, group, tenants, new Probes(db, tenants[0]), admin, shape),
        );
        console.log(
          JSON.stringify({ run, kafka: capacity.at(-1), loadBefore: loadBeforeKafka, loadAfter: load() }),
        );
      }
      // Runs whose probes were all still unseen have no freshness figure: medians of the others.
      const summary = <T extends Record<string, number>>(xs: T[]) =>
        Object.fromEntries(
          Object.keys(xs[0]).map((k) => [
            k,
            round(median(xs.map((x) => x[k]).filter((v) => Number.isFinite(v))), 2),
          ]),
        );
      console.log(`\nfreshness: medians of ${runs} runs of ${freshnessSeconds} s, load ${load()}`);
      console.table({
        'through ingestion': summary(ingestion),
        [`kafka at ${kafkaRate}/s`]: summary(capacity),
      });
    }
  } finally {
    await admin.disconnect();
    await db.end();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
