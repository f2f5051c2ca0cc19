// Where a benchmark runs, shared by the benchmarks that start services (startStack).
import type { TestEnvironment } from '@sextant/testing';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A benchmark's own database, `sextant_bench_<name>`, prepared by the project's database tooling
 * on the PostgreSQL of SEXTANT_DATABASE_ADMIN_URL, and topics of its own on KAFKA_BROKERS (a new
 * prefix each invocation). `fresh` drops the database first, so that every invocation, and each
 * of two versions measured in turn, meets the same empty tables.
 */
export async function benchEnvironment(name: string, { fresh = false } = {}): Promise<TestEnvironment> {
  const adminUrl = process.env.SEXTANT_DATABASE_ADMIN_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!adminUrl || !brokers) throw new Error('set SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS');
  const runId = `bench${name}${Date.now().toString(36)}`;
  const env: TestEnvironment = {
    adminUrl,
    brokers: brokers.split(','),
    runId,
    database: `sextant_bench_${name}`,
    topicPrefix: `${runId}.`,
    password: process.env.SEXTANT_DB_PASSWORD ?? 'sextant-dev-only',
  };
  if (fresh) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${env.database} with (force)`);
    await admin.end();
  }
  // The database tooling is an application of its own (tools/db): loaded by path, as the test setup does.
  const { prepareDatabase } = require(path.join(__dirname, '../db/src/prepare')) as {
    prepareDatabase(adminUrl: string, database: string, password: string): Promise<unknown>;
  };
  await prepareDatabase(env.adminUrl, env.database, env.password);
  return env;
}

/** The URL of the benchmark's database, for the benchmarks that read it directly. */
export function benchDatabaseUrl(env: TestEnvironment): string {
  const url = new URL(env.adminUrl);
  url.pathname = `/${env.database}`;
  return url.toString();
}

/** `--service-env KEY=VALUE` arguments as the environment they add to every service. */
export function serviceEnvironment(pairs: string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
}

/** PostgreSQL's current write-ahead log location (the whole server's), to measure what a phase wrote. */
export async function walLocation(env: TestEnvironment): Promise<string> {
  const admin = new Client({ connectionString: env.adminUrl });
  await admin.connect();
  try {
    return (await admin.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
  } finally {
    await admin.end();
  }
}

/** Bytes of write-ahead log the server wrote since `location` (from walLocation). */
export async function walBytesSince(env: TestEnvironment, location: string): Promise<number> {
  const admin = new Client({ connectionString: env.adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ bytes: string }>(
      'select pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint::text as bytes',
      [location],
    );
    return Number(rows[0].bytes);
  } finally {
    await admin.end();
  }
}
