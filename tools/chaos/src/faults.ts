/**
 * The faults a chaos run injects, each one step: do the damage, undo it the way an operator's
 * platform would (restart what died), then wait until every service answers /health/ready again
 * by itself. Nothing else is restarted: a service that needs a manual step to recover shows up as
 * not ready (or, for a consumer that stopped silently, as data missing in the counts).
 */
import { ALL_SERVICES, type RunningStack, type ServiceName } from '@sextant/testing';
import type { PrivateServer } from './infrastructure';

export interface FaultContext {
  stack: RunningStack;
  postgres: PrivateServer;
  kafka: PrivateServer;
  /** How long the broker stays dead. */
  kafkaOutageMs: number;
}

export interface Fault {
  name: string;
  inject(context: FaultContext): Promise<string>;
}

export interface FaultRecord {
  name: string;
  /** Seconds since the load started. */
  at: number;
  /** From the first blow until the damaged part was back (its own restart included). */
  durationMs: number;
  /** From then until every service answered /health/ready (null: not within the time allowed). */
  recoveredAfterMs: number | null;
  notReady: ServiceName[];
  detail: string;
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const kafkaOutage: Fault = {
  name: 'Kafka broker kill -9, restarted after the outage',
  async inject({ kafka, kafkaOutageMs }) {
    await kafka.kill();
    await sleep(kafkaOutageMs);
    await kafka.start();
    return `broker down ${(kafkaOutageMs / 1000).toFixed(0)} s`;
  },
};

export const postgresRestart: Fault = {
  name: 'PostgreSQL restart (fast shutdown: sessions cut)',
  async inject({ postgres }) {
    await postgres.stop();
    await postgres.start();
    return 'pg_ctl stop -m fast; start';
  },
};

export const postgresCrash: Fault = {
  name: 'PostgreSQL crash (immediate shutdown, recovery at start)',
  async inject({ postgres }) {
    await postgres.kill();
    await postgres.start();
    return 'pg_ctl stop -m immediate; start';
  },
};

export const serviceFault = (service: ServiceName, signal: 'SIGKILL' | 'SIGTERM'): Fault => ({
  name: `${service} ${signal === 'SIGKILL' ? 'kill -9' : 'SIGTERM (graceful)'}, restarted`,
  async inject({ stack }) {
    await stack.restart(service, signal);
    return `${signal} then a new process`;
  },
});

/** Every service answering /health/ready 200, or the ones that do not after `timeoutMs`. */
export async function waitUntilReady(
  urls: Record<ServiceName, string>,
  timeoutMs: number,
): Promise<{ afterMs: number | null; notReady: ServiceName[] }> {
  const started = Date.now();
  let notReady: ServiceName[] = [...ALL_SERVICES];
  while (Date.now() - started < timeoutMs) {
    const answers = await Promise.all(
      notReady.map(async (service) => {
        const response = await fetch(`${urls[service]}/health/ready`, { signal: AbortSignal.timeout(5_000) })
          .then((r) => r.status)
          .catch(() => 0);
        return response === 200 ? undefined : service;
      }),
    );
    notReady = answers.filter((s): s is ServiceName => s !== undefined);
    if (notReady.length === 0) return { afterMs: Date.now() - started, notReady };
    await sleep(250);
  }
  return { afterMs: null, notReady };
}

/** The short form: each fault once. The long form adds a PostgreSQL crash and runs everything twice. */
export function faultPlan(long: boolean): Fault[] {
  const once = [
    kafkaOutage,
    postgresRestart,
    ...(long ? [postgresCrash] : []),
    ...ALL_SERVICES.map((s) => serviceFault(s, 'SIGKILL')),
    ...ALL_SERVICES.map((s) => serviceFault(s, 'SIGTERM')),
  ];
  return long ? [...once, ...once] : once;
}
