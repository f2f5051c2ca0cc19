/**
 * One chaos run: a private PostgreSQL and Kafka, the six services as real processes, a tenant fed
 * by the simulated store at a steady rate, and the fault plan injected one after the other under
 * that load. Then the load stops, the pipeline drains, and every layer is counted against what the
 * clients got a 2xx for.
 */
import {
  ALL_SERVICES,
  call,
  type RunningStack,
  simulateWorld,
  startStack,
  type TestEnvironment,
  type World,
} from '@sextant/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { type Check, measure, type Measurement, revenue, verify } from './counts';
import { type FaultRecord, faultPlan, waitUntilReady } from './faults';
import { prepareDatabase, startPrivateKafka, startPrivatePostgres } from './infrastructure';
import { type Kind, type Ledger, LoadDriver, type Tally, timeline, units } from './traffic';

export interface ChaosOptions {
  long: boolean;
  /** Load units (events, webhooks, spend uploads) per second; default 50 short, 300 long. */
  rate?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  form: 'short' | 'long';
  runId: string;
  startedAt: string;
  finishedAt: string;
  load: { targetRate: number; achievedRate: number; seconds: number; worldExhausted: boolean };
  faults: FaultRecord[];
  requests: Record<Kind, Tally>;
  counted: {
    ingestion: { acceptedEvents: number; webhookDeliveries: number; orders: number; spendRows: number };
    reporting: { events: number; touches: number; orders: number; revenueMinor: number; spendRows: number };
    attribution: { eventsApplied: number; touchpoints: number; conversions: number; revenueMinor: number };
    deadLetters: { ingestionRows: number; kafkaMessages: Record<string, number> };
    revenueSentMinor: number;
  };
  /** From the end of the load until every check passed (null: not within the time allowed). */
  drainedAfterMs: number | null;
  servicesReadyAtEnd: { ready: boolean; notReady: string[] };
  checks: Check[];
  ok: boolean;
  failures: string[];
}

const FORMS = {
  short: { rate: 50, gapMs: 2_000, kafkaOutageMs: 10_000, drainTimeoutMs: 900_000, batchSize: 25 },
  long: { rate: 300, gapMs: 20_000, kafkaOutageMs: 10_000, drainTimeoutMs: 1_800_000, batchSize: 50 },
};

let current: RunningStack | undefined;

/** Stops the services of the run in progress (the CLI, interrupted). */
export async function stopServices(): Promise<void> {
  await current?.stop();
}

/** Counts that stood still this long while checks still fail: the pipeline is stuck, not slow. */
const STALL_MS = 90_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY = 86_400_000;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const form = options.long ? 'long' : 'short';
  const settings = FORMS[form];
  const rate = options.rate ?? settings.rate;
  const log = options.log ?? (() => {});
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const plan = faultPlan(options.long);

  log(`starting a private PostgreSQL and Kafka (run ${runId})`);
  const started = await Promise.allSettled([startPrivatePostgres(), startPrivateKafka()]);
  if (started[0].status === 'rejected' || started[1].status === 'rejected') {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.dispose() : undefined)));
    throw [started[0], started[1]].find((s) => s.status === 'rejected')!.reason;
  }
  const [postgres, kafka] = [started[0].value, started[1].value];
  let stack: RunningStack | undefined;
  try {
    const env: TestEnvironment = {
      adminUrl: postgres.adminUrl,
      brokers: kafka.brokers,
      runId,
      database: `sextant_chaos_${runId}`,
      topicPrefix: `chaos-${runId}.`,
      password: process.env.SEXTANT_DB_PASSWORD ?? 'sextant-dev-only',
    };
    await prepareDatabase(env.adminUrl, env.database, env.password);
    log('starting the six services');
    stack = await startServices(env, log);
    current = stack;
    const running = stack;

    // Enough simulated days for the whole run at the rate, with room to spare.
    const expectedSeconds = (plan.length * (settings.gapMs + 8_000) + settings.kafkaOutageMs * 3) / 1000;
    const world = worldFor(rate * expectedSeconds * 1.5);
    const target = await newTenant(running.urls.gateway, world);
    const items = timeline(world, settings.batchSize);
    const driver = new LoadDriver(target, items, {
      rate,
      concurrency: 32,
      retryForMs: 120_000,
      requestTimeoutMs: 15_000,
    });
    log(
      `load: ${rate}/s from a simulated store (${items.reduce((n, i) => n + units(i), 0)} units ready); ${plan.length} faults`,
    );
    driver.start();
    const loadStarted = Date.now();
    await sleep(settings.gapMs);
    const faults: FaultRecord[] = [];
    const context = { stack: running, postgres, kafka, kafkaOutageMs: settings.kafkaOutageMs };
    for (const fault of plan) {
      const at = (Date.now() - loadStarted) / 1000;
      const started = Date.now();
      let detail = '';
      let error: string | undefined;
      try {
        detail = await fault.inject(context);
      } catch (e) {
        error = (e as Error).message.slice(0, 500);
      }
      const durationMs = Date.now() - started;
      const ready = await waitUntilReady(running.urls, 90_000);
      faults.push({
        name: fault.name,
        at,
        durationMs,
        recoveredAfterMs: ready.afterMs,
        notReady: ready.notReady,
        detail,
        error,
      });
      log(
        `${fault.name}: ${(durationMs / 1000).toFixed(1)} s, all ready ${ready.afterMs === null ? `NOT (${ready.notReady.join(', ')})` : `after ${ready.afterMs} ms`}${error ? `, error: ${error}` : ''}`,
      );
      await sleep(settings.gapMs);
    }
    log('stopping the load; waiting for retries in flight');
    const load = await driver.stop();
    const servicesAtEnd = await waitUntilReady(running.urls, 30_000);

    log('waiting for the pipeline to drain');
    const databaseUrl = Object.assign(new URL(env.adminUrl), { pathname: `/${env.database}` }).toString();
    const drainStarted = Date.now();
    let measurement: Measurement;
    let checks: Check[];
    let drainedAfterMs: number | null = null;
    // Consumers may lag far behind on a crowded machine: wait while the counts still move, and
    // give up only when they have stood still for a while (or at the hard limit).
    let progress = '';
    let progressAt = Date.now();
    for (;;) {
      measurement = await measure(databaseUrl, target.tenantId, env.brokers, env.topicPrefix);
      checks = verify(driver.ledger, measurement);
      if (checks.every((c) => c.ok)) {
        drainedAfterMs = Date.now() - drainStarted;
        break;
      }
      const found = checks.map((c) => c.found).join(',');
      if (found !== progress) [progress, progressAt] = [found, Date.now()];
      if (Date.now() - progressAt > STALL_MS || Date.now() - drainStarted > settings.drainTimeoutMs) break;
      await sleep(2_000);
    }

    const faultFailures = faults
      .filter((f) => f.error || f.recoveredAfterMs === null)
      .map((f) => `${f.name}: ${f.error ?? `not ready: ${f.notReady.join(', ')}`}`);
    const lost = Object.entries(driver.ledger.tally)
      .filter(([, t]) => t.refused + t.gaveUp > 0)
      .map(([kind, t]) => `${kind}: ${t.refused} refused with a 4xx, ${t.gaveUp} still failing after 2 min`);
    const failures = [
      ...checks.filter((c) => !c.ok).map((c) => `${c.layer}: ${c.what}: ${c.problems.join('; ')}`),
      ...faultFailures,
      ...lost,
      ...(servicesAtEnd.notReady.length
        ? [`not ready at the end: ${servicesAtEnd.notReady.join(', ')}`]
        : []),
    ];
    return {
      form,
      runId,
      startedAt,
      finishedAt: new Date().toISOString(),
      load: {
        targetRate: rate,
        achievedRate: Math.round(load.rate),
        seconds: Math.round(load.seconds),
        worldExhausted: driver.exhausted,
      },
      faults,
      requests: driver.ledger.tally,
      counted: summarise(driver.ledger, measurement),
      drainedAfterMs,
      servicesReadyAtEnd: { ready: servicesAtEnd.notReady.length === 0, notReady: servicesAtEnd.notReady },
      checks,
      ok: failures.length === 0,
      failures,
    };
  } finally {
    current = undefined;
    await stack?.stop();
    await Promise.all([kafka.dispose(), postgres.dispose()]);
  }
}

/**
 * The six services on the fresh broker. Six services creating their topics at once on a new broker
 * can outlast a service's 30 s wait for partition leaders on a crowded machine (it then exits, as
 * it would in a crash loop under Kubernetes); a second start finds the topics made.
 */
async function startServices(env: TestEnvironment, log: (line: string) => void): Promise<RunningStack> {
  try {
    return await startStack(env, ALL_SERVICES, { RATE_LIMIT_MAX: '1000000' }, { readyTimeoutMs: 180_000 });
  } catch (error) {
    log(`the services did not all start (${(error as Error).message.slice(0, 3_000)}); starting them again`);
    return startStack(env, ALL_SERVICES, { RATE_LIMIT_MAX: '1000000' }, { readyTimeoutMs: 180_000 });
  }
}

/** A simulated store of at least `units` events, over as many days as that takes. */
function worldFor(units: number): World {
  for (let days = 20; ; days *= 2) {
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const world = simulateWorld({ seed: 12, days, scale: 1, start: new Date(today - (days + 1) * DAY) });
    if (world.events.flat().length >= units || days >= 640) return world;
  }
}

/** A tenant with an ingest key and a Shopify webhook source, set up through the gateway. */
async function newTenant(gatewayUrl: string, world: World) {
  const account = {
    tenantName: 'Chaos store',
    email: `chaos-${randomUUID()}@example.com`,
    password: `chaos ${randomBytes(9).toString('base64url')}`,
  };
  await call(gatewayUrl, 'POST', '/api/v1/auth/register', { body: account });
  const login = () =>
    call<{ accessToken: string }>(gatewayUrl, 'POST', '/api/v1/auth/login', {
      body: { email: account.email, password: account.password },
    });
  let token = (await login()).accessToken;
  let loggedInAt = Date.now();
  const me = await call<{ tenantId: string }>(gatewayUrl, 'GET', '/api/v1/auth/me', { token });
  const key = await call<{ key: string }>(gatewayUrl, 'POST', '/api/v1/auth/api-keys', {
    token,
    body: { name: 'Chaos store (simulated)', scopes: ['ingest'] },
  });
  const shopifySecret = `shpss_${randomUUID().replaceAll('-', '')}`;
  const source = await call<{ sourceId: string }>(gatewayUrl, 'POST', '/api/v1/ingestion/webhook-sources', {
    token,
    body: { provider: 'shopify', name: 'Chaos Shopify store', secret: shopifySecret },
  });
  return {
    tenantId: me.tenantId,
    gatewayUrl,
    ingestKey: key.key,
    webhookSourceId: source.sourceId,
    shopifySecret,
    currency: world.currency,
    // Access tokens live 10 minutes; a failed login throws, and the upload is retried.
    async token() {
      if (Date.now() - loggedInAt > 5 * 60_000) {
        token = (await login()).accessToken;
        loggedInAt = Date.now();
      }
      return token;
    },
  };
}

function summarise(ledger: Ledger, m: Measurement): ChaosReport['counted'] {
  const money = revenue(ledger, m);
  return {
    ingestion: {
      acceptedEvents: m.ingestion.trackedMessages.size,
      webhookDeliveries: m.ingestion.webhookDeliveries.size,
      orders: m.ingestion.orders.size,
      spendRows: m.ingestion.spend.size,
    },
    reporting: {
      events: m.reporting.sourceVolumeEvents,
      touches: m.reporting.trafficTouches,
      orders: m.reporting.orders.size,
      revenueMinor: money.reportedMinor,
      spendRows: m.reporting.spend.size,
    },
    attribution: {
      eventsApplied: m.attribution.processedEvents.size,
      touchpoints: m.attribution.touchpoints.size,
      conversions: m.attribution.conversions.size,
      revenueMinor: money.conversionsMinor,
    },
    deadLetters: { ingestionRows: m.ingestion.deadLetters, kafkaMessages: m.kafka.deadLetterTopics },
    revenueSentMinor: money.sentMinor,
  };
}
