import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DATABASE_SERVICES, type DatabaseService, serviceUrls, type TestEnvironment } from './environment';

export type ServiceName = DatabaseService | 'gateway';
export const ALL_SERVICES: ServiceName[] = [...DATABASE_SERVICES, 'gateway'];

/** The repository root, from the sources (jest) or from the compiled dist/ (benchmarks, CLIs). */
export const REPOSITORY_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

/** How long a service may take to answer /health/ready (raise it on a crowded machine). */
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 120_000);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningStack {
  /** Each service's URL (its first replica's, when it runs several). */
  urls: Record<ServiceName, string>;
  tracesFile: string;
  logs: Record<ServiceName, string[]>;
  /** SIGKILL one service (crash; every replica), then start it again with the same settings. */
  restart(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Freezes one service's processes (SIGSTOP) until thaw() (SIGCONT): a consumer that is not there. */
  freeze(service: ServiceName): void;
  thaw(service: ServiceName): void;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** How long each service may take to become ready (a loaded shared machine needs more). */
  readyTimeoutMs?: number;
  /** Processes per service (default 1); the gateway balances over a service's replicas. */
  replicas?: Partial<Record<DatabaseService, number>>;
}

/**
 * Starts services as real processes from the compiled dist/ (what `./tools/dev up` runs), against
 * the run's database and topic prefix, on free ports; resolves when every /health/ready is 200.
 */
export async function startStack(
  env: TestEnvironment,
  services: ServiceName[] = ALL_SERVICES,
  extraEnv: Record<string, string> = {},
  { readyTimeoutMs = READY_TIMEOUT_MS, replicas = {} }: StackOptions = {},
): Promise<RunningStack> {
  const replicaUrls = Object.fromEntries(
    await Promise.all(
      ALL_SERVICES.map(async (s) => {
        const count = s === 'gateway' ? 1 : (replicas[s] ?? 1);
        const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
        return [s, ports.map((port) => `http://127.0.0.1:${port}`)] as const;
      }),
    ),
  ) as Record<ServiceName, string[]>;
  const urls = Object.fromEntries(ALL_SERVICES.map((s) => [s, replicaUrls[s][0]])) as Record<
    ServiceName,
    string
  >;
  const tracesFile = path.join(mkdtempSync(path.join(tmpdir(), 'sextant-traces-')), 'traces.jsonl');
  const children = new Map<ServiceName, ChildProcess[]>();
  const logs = Object.fromEntries(ALL_SERVICES.map((s) => [s, [] as string[]])) as Record<
    ServiceName,
    string[]
  >;

  const environmentOf = (service: ServiceName, url: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    NODE_OPTIONS: '--disable-warning=TimeoutNegativeWarning',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
    PORT: new URL(url).port,
    HOST: '127.0.0.1',
    KAFKA_BROKERS: env.brokers.join(','),
    KAFKA_TOPIC_PREFIX: env.topicPrefix,
    CONSUMER_RETRY_BACKOFF_MS: '100',
    // A killed service's partitions move to its restarted self (or a sibling) after 10 s, not 30 s
    // (a restarted forecasting waits that long for its job group before it serves).
    CONSUMER_SESSION_TIMEOUT_MS: '10000',
    FORECAST_JOB_SESSION_TIMEOUT_MS: '10000',
    OTEL_TRACES_FILE: tracesFile,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(service === 'gateway'
      ? {
          ...Object.fromEntries(
            DATABASE_SERVICES.map((s) => [`${s.toUpperCase()}_URL`, replicaUrls[s].join(',')]),
          ),
          TRUST_PROXY: '127.0.0.1',
        }
      : {
          DATABASE_URL: serviceUrls(env, service).appUrl,
          AUTH_JWKS_URL: `${urls.auth}/.well-known/jwks.json`,
        }),
    ...extraEnv,
  });

  const launch = (service: ServiceName) => {
    const keep = (chunk: Buffer) => {
      logs[service].push(chunk.toString());
      if (logs[service].length > 200) logs[service].shift();
    };
    const processes = replicaUrls[service].map((url) => {
      const child = spawn(
        process.execPath,
        ['--enable-source-maps', path.join(REPOSITORY_ROOT, 'dist/apps', service, 'src/main.js')],
        {
          env: environmentOf(service, url),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      return child;
    });
    children.set(service, processes);
  };

  /** 'ready', or what the replica answered instead (for the error when it never gets there). */
  const readiness = (url: string): Promise<string> =>
    fetch(`${url}/health/ready`).then(
      async (response) =>
        response.status === 200 ? 'ready' : `${url} answered ${response.status}: ${await response.text()}`,
      (error: Error) =>
        `${url} did not answer: ${(error.cause as Error | undefined)?.message ?? error.message}`,
    );
  const recentLog = (service: ServiceName) => logs[service].join('').slice(-2000);
  /** Resolves once every replica is ready; fails at once when one exits, or with what it answered. */
  const ready = async (service: ServiceName) => {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const exited = children.get(service)?.find((child) => child.exitCode !== null);
      if (exited) throw new Error(`${service} exited with ${exited.exitCode}: ${recentLog(service)}`);
      const notReady = (await Promise.all(replicaUrls[service].map(readiness))).filter((a) => a !== 'ready');
      if (notReady.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${service} not ready within ${readyTimeoutMs} ms: ${notReady.join('; ')}; log: ${recentLog(service)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const terminate = async (service: ServiceName, signal: NodeJS.Signals) => {
    const running = (children.get(service) ?? []).filter(
      (child) => child.exitCode === null && child.signalCode === null,
    );
    await Promise.all(
      running.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        return exited;
      }),
    );
  };

  for (const service of services) launch(service);
  try {
    await Promise.all(services.map(ready));
  } catch (error) {
    await Promise.all(services.map((s) => terminate(s, 'SIGKILL')));
    throw error;
  }

  return {
    urls,
    tracesFile,
    logs,
    async restart(service, signal = 'SIGKILL') {
      await terminate(service, signal);
      launch(service);
      await ready(service);
    },
    freeze: (service) => children.get(service)?.forEach((child) => child.kill('SIGSTOP')),
    thaw: (service) => children.get(service)?.forEach((child) => child.kill('SIGCONT')),
    async stop() {
      await Promise.all(services.map((s) => terminate(s, 'SIGTERM')));
    },
  };
}
