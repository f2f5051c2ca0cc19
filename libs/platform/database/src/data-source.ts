import { createHash } from 'node:crypto';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/** An entity or migration class, as TypeORM takes them. */
export type ClassType = abstract new (...args: never[]) => unknown;

export interface ServiceDataSourceOptions {
  /** The PostgreSQL schema the service owns; also the prefix of its roles (`<schema>_owner`, `<schema>_app`). */
  schema: string;
  url: string;
  entities: ClassType[];
  migrations?: ClassType[];
  poolSize?: number;
  /** How long an unused pooled connection stays open (pg's own default: 10 s); 0: until the pool ends. */
  poolIdleMs?: number;
  applicationName?: string;
}

/** A TypeORM data source for one service schema. Migrations are tracked in that schema. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName ?? options.schema,
    // Unqualified names in raw SQL resolve to the service's own schema.
    extra: {
      max: options.poolSize ?? 10,
      idleTimeoutMillis: options.poolIdleMs ?? 10_000,
      connectionTimeoutMillis: 5_000,
      options: `-c search_path=${options.schema}`,
    },
  });
}

/**
 * Runs fn in a transaction scoped to one tenant: `app.tenant_id` is set with
 * `set_config(..., true)`, so it ends with the transaction and a pooled connection never carries
 * a tenant into the next use. Row-level security policies read it.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  fn: (manager: EntityManager) => Promise<T>,
  isolation?: IsolationLevel,
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error(`tenant id must be a UUID, got '${tenantId}'`);
  const work = async (manager: EntityManager) => {
    await preparedQuery(manager, `select set_config('app.tenant_id', $1, true)`, [tenantId]);
    return fn(manager);
  };
  // Without a level, PostgreSQL's default (READ COMMITTED) and no extra SET TRANSACTION round trip.
  return isolation ? dataSource.transaction(isolation, work) : dataSource.transaction(work);
}

/**
 * One statement as the tenant in a single round trip, where withTenant takes four (begin, set the
 * tenant, the statement, commit): `set_config` and the statement go as one simple query, which
 * PostgreSQL runs as one implicit transaction. A simple query has no parameters, so the statement
 * gets its values as literals through `literal` (the driver's quoting).
 */
export async function readAsTenant<Row>(
  dataSource: DataSource,
  tenantId: string,
  statement: (literal: (value: string) => string) => string,
): Promise<Row[]> {
  if (!isUuid(tenantId)) throw new Error(`tenant id must be a UUID, got '${tenantId}'`);
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const sql = `select set_config('app.tenant_id', '${tenantId}', true); ${statement((v) => client.escapeLiteral(v))}`;
    const [, result] = (await client.query(sql)) as unknown as [
      QueryResult,
      QueryResult<Row & QueryResultRow>,
    ];
    return result.rows;
  } finally {
    await runner.release();
  }
}

/**
 * A statement of a hot path as a prepared statement of the connection it runs on (the
 * transaction's, or a pooled one), named after its text: PostgreSQL plans it for the first calls
 * only, then reuses a generic plan, where a statement sent unnamed is planned at every call
 * (0.03-0.5 ms each for the tracking write's statements, more than some take to run;
 * docs/benchmarks.md). For statements whose best plan does not depend on the values. Returns the rows.
 */
export async function preparedQuery<Row>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const result = await client.query<Row & QueryResultRow>({ name: statementName(text), text, values });
    return result.rows;
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `sextant_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
