// Tracking ingestion throughput, in the same run as its ceiling:
//  - full path: autocannon posts Segment batches of 100 fresh events through the gateway
//    (gateway -> ingestion -> PostgreSQL dedup + outbox in one transaction -> relay -> Kafka acks=all);
//    accepted events/s counted from 2xx answers, and delivered events/s from the Kafka topic's
//    offsets (the outbox relay must keep up for the rate to be sustained); and the CPU each delivered
//    event cost, per process group (services, their PostgreSQL backends, the broker), from /proc,
//    and the write-ahead log PostgreSQL wrote per event;
//  - ceiling: a plain kafkajs producer (acks=all, idempotent off, batches of 100) sending the same
//    event payloads to the same broker for the same time;
//  - latency: single `track` calls at a fixed rate (default 1,000/s, evenly spaced, after 5 s of
//    warm-up not counted), p50/p99;
//  - with --profile: a CPU profile of ingestion under the batch load, summarised by package/file.
// Ingestion runs as --replicas processes (default 2, as k8s/base deploys it: one Node.js process
// uses one core), which the gateway balances.
//   node dist/tools/bench/ingestion/tracking.js [--runs 3] [--seconds 60] [--rate 1000] [--connections 16]
//     [--replicas 2] [--profile] [--single-only]
//     [--service-env KEY=VALUE ...]
// Needs SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS.
import { signUp, startStack, type TestEnvironment } from '@sextant/testing';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchEnvironment, serviceEnvironment, walBytesSince, walLocation } from '../bench-environment';
import { openLoop } from '../open-loop';
import { cpuSecondsByGroup, microsecondsPer } from '../process-cpu';
import { median, percentile } from '../stats';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '16' },
    replicas: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    'single-only': { type: 'boolean', default: false },
    // KEY=VALUE for the services, to compare a setting (e.g. OUTBOX_BATCH_SIZE=3000) in turn.
    'service-env': { type: 'string', multiple: true, default: [] },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const connections = Number(values.connections);
const replicas = Number(values.replicas);
const BATCH = 100;

/** A realistic event: page URL with UTM and a click id, context, properties (about 600 bytes). */
const eventTemplate = (messageId: string, n: number) => ({
  type: 'track',
  event: 'Product Viewed',
  messageId,
  anonymousId: `anon-${n % 5000}`,
  ...(n % 3 === 0 ? { userId: `user-${n % 2000}` } : {}),
  timestamp: new Date().toISOString(),
  properties: { sku: `SKU-${n % 300}`, price: 19.99, currency: 'EUR', category: 'shoes' },
  context: {
    page: {
      url: `https://shop.example/p/${n % 300}?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=Cj0KCQ${n}`,
      referrer: 'https://www.google.com/',
      title: 'Product',
    },
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36',
    ip: '203.0.113.9',
    library: { name: 'bench', version: '1' },
  },
});

/** A batch body whose 100 messageIds are unique on every call (split once, joined per request). */
function batchFactory(): () => string {
  const parts = JSON.stringify({
    batch: Array.from({ length: BATCH }, (_, i) => eventTemplate('%ID%', i)),
    sentAt: new Date().toISOString(),
  }).split('%ID%');
  let counter = 0;
  const prefix = randomUUID();
  return () => {
    const request = counter++;
    let body = parts[0];
    for (let i = 1; i < parts.length; i++) body += `${prefix}-${request}-${i}${parts[i]}`;
    return body;
  };
}

/** What a Segment client or a browser sends besides the body: it takes compressed answers. */
const CLIENT_HEADERS = { 'content-type': 'application/json', 'accept-encoding': 'gzip, deflate, br' };

async function topicTotal(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function fullPath(
  gateway: string,
  headers: Record<string, string>,
  kafka: Kafka,
  topic: string,
  env: TestEnvironment,
) {
  const nextBody = batchFactory();
  const before = await topicTotal(kafka, topic);
  const walBefore = await walLocation(env);
  const cpuBefore = cpuSecondsByGroup(env.database);
  const started = Date.now();
  const result = await autocannon({
    url: `${gateway}/api/v1/ingestion/v1/batch`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { ...headers, ...CLIENT_HEADERS },
        setupRequest: (request) => ({ ...request, body: nextBody() }),
      },
    ],
  });
  const httpSeconds = (Date.now() - started) / 1000;
  const accepted = result['2xx'] * BATCH;
  // Delivered: wait for the relay to drain what was accepted (bounded), then count.
  let delivered = 0;
  for (let i = 0; i < 120; i++) {
    delivered = (await topicTotal(kafka, topic)) - before;
    if (delivered >= accepted) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const drainedSeconds = (Date.now() - started) / 1000;
  return {
    acceptedPerSecond: accepted / httpSeconds,
    deliveredPerSecond: delivered / drainedSeconds,
    drainLagSeconds: +(drainedSeconds - httpSeconds).toFixed(1),
    requestP99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
    // Everything each event cost from the request to Kafka's acknowledgement of the relay's send.
    cpuMicrosecondsPerDeliveredEvent: microsecondsPer(delivered, cpuBefore, cpuSecondsByGroup(env.database)),
    // What PostgreSQL logged per event (dedup key, outbox row and its deletion, profiles).
    walBytesPerDeliveredEvent: Math.round((await walBytesSince(env, walBefore)) / delivered),
  };
}

async function rawProducer(kafka: Kafka, topic: string) {
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  await admin.disconnect();
  // The same payload size as the accepted events the full path publishes.
  const payloads = Array.from({ length: BATCH }, (_, i) =>
    JSON.stringify({ ...eventTemplate(randomUUID(), i), tenantId: randomUUID(), eventId: randomUUID() }),
  );
  let sent = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  const worker = async () => {
    while (Date.now() < deadline) {
      await producer.send({
        topic,
        acks: -1,
        messages: payloads.map((value, i) => ({ key: `k${i}`, value })),
      });
      sent += BATCH;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (Date.now() - started) / 1000;
  await producer.disconnect();
  return { sentPerSecond: sent / elapsed };
}

/** Single `track` calls for `duration` seconds at --rate, evenly spaced (open loop). */
async function singleTrackLatency(gateway: string, headers: Record<string, string>, duration: number) {
  // autocannon's overallRate sends each connection's share of a second in a burst, and the
  // burst's queue showed up as latency.
  const prefix = randomUUID();
  const { achievedRate, latencies, errors } = await openLoop(
    gateway,
    (n) => ({
      method: 'POST',
      path: '/api/v1/ingestion/v1/track',
      headers: { ...headers, ...CLIENT_HEADERS },
      body: JSON.stringify(eventTemplate(`${prefix}-${n}`, n)),
    }),
    duration,
    rate,
  );
  return {
    achievedRate: Math.round(achievedRate),
    p50Ms: +percentile(latencies, 50).toFixed(1),
    p99Ms: +percentile(latencies, 99).toFixed(1),
    failures: errors,
  };
}

/** Self time of a .cpuprofile, grouped by package (node_modules) or by our source file. */
function summariseProfile(file: string, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { url: string; functionName: string }; hitCount?: number }[];
  };
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const groups = new Map<string, number>();
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    let group: string;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) group = pkg[1];
    else if (url.includes('/dist/')) group = url.slice(url.indexOf('/dist/') + 6);
    else if (url.startsWith('node:')) group = url;
    else group = functionName ? `(${functionName})` : '(native/other)';
    groups.set(group, (groups.get(group) ?? 0) + (node.hitCount ?? 0));
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([group, hits]) => ({ group, selfPercent: +((100 * hits) / total).toFixed(1) }));
}

async function main() {
  const env = await benchEnvironment('tracking', { fresh: true });
  const profileDir = values.profile ? mkdtempSync(path.join(tmpdir(), 'sextant-prof-')) : undefined;
  const stack = await startStack(
    env,
    ['auth', 'ingestion', 'gateway'],
    {
      LOG_LEVEL: 'warn',
      OTEL_TRACES_FILE: '',
      RATE_LIMIT_MAX: '100000000',
      ...serviceEnvironment(values['service-env']),
      ...(profileDir
        ? { NODE_OPTIONS: `--disable-warning=TimeoutNegativeWarning --cpu-prof --cpu-prof-dir=${profileDir}` }
        : {}),
    },
    { replicas: { ingestion: replicas } },
  );
  const kafka = new Kafka({ brokers: env.brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
  const accepted = `${env.topicPrefix}ingestion.event.accepted.v1`;
  const rows: { full: Awaited<ReturnType<typeof fullPath>>; raw: Awaited<ReturnType<typeof rawProducer>> }[] =
    [];
  let latency: Awaited<ReturnType<typeof singleTrackLatency>>[] = [];
  try {
    const owner = await signUp(stack.urls.gateway, 'Benchmark shop');
    const batchRuns = values['single-only'] ? 0 : runs;
    for (let run = 0; run < batchRuns; run++) {
      const full = await fullPath(stack.urls.gateway, owner.headers, kafka, accepted, env);
      const raw = await rawProducer(kafka, `${env.topicPrefix}bench.raw.${run}`);
      rows.push({ full, raw });
      console.log(JSON.stringify({ run, full, raw }));
    }
    latency = [];
    const duration = Math.min(seconds, 30);
    // Not counted: the first seconds of single calls, while the services compile that path.
    await singleTrackLatency(stack.urls.gateway, owner.headers, Math.min(5, duration));
    for (let run = 0; run < runs; run++)
      latency.push(await singleTrackLatency(stack.urls.gateway, owner.headers, duration));
  } finally {
    await stack.stop();
  }
  const summary = {
    seconds,
    runs,
    connections,
    ingestionReplicas: replicas,
    serviceEnv: values['service-env'],
    acceptedEventsPerSecond: Math.round(median(rows.map((r) => r.full.acceptedPerSecond))),
    deliveredEventsPerSecond: Math.round(median(rows.map((r) => r.full.deliveredPerSecond))),
    rawProducerEventsPerSecond: Math.round(median(rows.map((r) => r.raw.sentPerSecond))),
    ratioToRawProducer: +median(rows.map((r) => r.full.deliveredPerSecond / r.raw.sentPerSecond)).toFixed(3),
    batchRequestP99Ms: median(rows.map((r) => r.full.requestP99Ms)),
    cpuMicrosecondsPerDeliveredEvent: Object.fromEntries(
      Object.keys(rows[0]?.full.cpuMicrosecondsPerDeliveredEvent ?? {}).map((group) => [
        group,
        median(rows.map((r) => r.full.cpuMicrosecondsPerDeliveredEvent[group] ?? 0)),
      ]),
    ),
    walBytesPerDeliveredEvent: median(rows.map((r) => r.full.walBytesPerDeliveredEvent)),
    batchFailures: rows.reduce((sum, r) => sum + r.full.failures, 0),
    singleTrack: {
      targetRate: rate,
      achievedRate: Math.round(median(latency.map((l) => l.achievedRate))),
      p50Ms: +median(latency.map((l) => l.p50Ms)).toFixed(1),
      p99Ms: +median(latency.map((l) => l.p99Ms)).toFixed(1),
      failures: latency.reduce((sum, l) => sum + l.failures, 0),
    },
    goals: {
      acceptedEventsPerSecond: '>= 20000 for 60 s',
      ratioToRawProducer: '>= 0.4',
      singleTrackP99Ms: '< 25',
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  if (profileDir) {
    for (const file of readdirSync(profileDir)) {
      const text = readFileSync(path.join(profileDir, file), 'utf8');
      if (!text.includes('apps/ingestion/src')) continue;
      console.log(`ingestion CPU profile (${path.join(profileDir, file)}), self time by package/file:`);
      console.table(summariseProfile(path.join(profileDir, file)));
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
