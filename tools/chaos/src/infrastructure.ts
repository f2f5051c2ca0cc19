/**
 * The chaos run's own PostgreSQL cluster and Kafka broker (tools/stack/*.sh with private ports and
 * folders), so restarting or killing them never disturbs another test or the developer's stack.
 */
import { freePort, REPOSITORY_ROOT } from '@sextant/testing';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

export interface PrivateServer {
  /** Starts it (again) and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Graceful stop (PostgreSQL: fast shutdown; Kafka: SIGTERM). */
  stop(): Promise<void>;
  /** Crash: Kafka gets SIGKILL, PostgreSQL an immediate shutdown (recovery at the next start). */
  kill(): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
}

/** Stop commands of the servers not disposed yet, for a CLI interrupted mid-run. */
const live = new Map<string, () => void>();

/** Stops every private server still running and deletes its folder (synchronously: on a signal). */
export function disposeAllSync(): void {
  for (const dispose of live.values()) dispose();
  live.clear();
}

function privateServer(script: 'postgres.sh' | 'kafka.sh', env: NodeJS.ProcessEnv, home: string) {
  const scriptPath = path.join(REPOSITORY_ROOT, 'tools/stack', script);
  const call = (command: string) =>
    run('bash', [scriptPath, command], { env, timeout: 180_000 }).then(() => undefined);
  live.set(home, () => {
    try {
      execFileSync('bash', [scriptPath, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
  return {
    start: () => call('start'),
    stop: () => call('stop'),
    kill: () => call('kill'),
    async dispose() {
      await call('stop').catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
      live.delete(home);
    },
  } satisfies PrivateServer;
}

export async function startPrivatePostgres(): Promise<PrivateServer & { adminUrl: string }> {
  const home = mkdtempSync(path.join(tmpdir(), 'sextant-chaos-pg-'));
  const port = await freePort();
  const server = privateServer(
    'postgres.sh',
    { ...process.env, SEXTANT_PG_PORT: String(port), SEXTANT_PG_HOME: home },
    home,
  );
  await server.start().catch(async (error: unknown) => {
    await server.dispose();
    throw error;
  });
  const password = process.env.SEXTANT_PG_PASSWORD ?? 'sextant-dev-only';
  return { ...server, adminUrl: `postgres://sextant_admin:${password}@127.0.0.1:${port}/postgres` };
}

export async function startPrivateKafka(): Promise<PrivateServer & { brokers: string[] }> {
  const home = mkdtempSync(path.join(tmpdir(), 'sextant-chaos-kafka-'));
  // The controller listens on the next port: find two free ones in a row.
  let port = await freePort();
  while (!(await isFree(port + 1))) port = await freePort();
  const server = privateServer(
    'kafka.sh',
    { ...process.env, SEXTANT_KAFKA_PORT: String(port), SEXTANT_KAFKA_HOME: home },
    home,
  );
  await server.start().catch(async (error: unknown) => {
    await server.dispose();
    throw error;
  });
  return { ...server, brokers: [`127.0.0.1:${port}`] };
}

/** Roles, schemas and migrations of every service in a new database (the compiled tools/db). */
export async function prepareDatabase(adminUrl: string, database: string, password: string) {
  await run(
    process.execPath,
    [path.join(REPOSITORY_ROOT, 'dist/tools/db/src/prepare.js'), adminUrl, database, password],
    {
      timeout: 180_000,
    },
  );
}
