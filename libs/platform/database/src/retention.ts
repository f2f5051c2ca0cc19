import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/** Days kept per data class when a tenant has set nothing (documented in the ingestion contract). */
export const RETENTION_DEFAULTS = {
  rawEventsDays: 395,
  deadLettersDays: 30,
  journeysDays: 395,
  auditLogDays: 730,
} as const;

/** Rows per purge statement, and statements per class and run (5,000 x 200 = 1M rows a run). */
export const PURGE_BATCH_SIZE = 5_000;
export const PURGE_MAX_BATCHES = 200;
/** How often each service runs its purge (a replica that finds the lock held skips the run). */
export const PURGE_INTERVAL_MS = 15 * 60_000;

/**
 * One data class a service purges: a SQL function `(p_now timestamptz, p_default_days integer,
 * p_batch integer) RETURNS integer` that deletes at most `p_batch` rows older than their tenant's
 * window (or `p_default_days` for a tenant without one) and returns how many it deleted.
 */
export interface PurgeTarget {
  dataClass: string;
  /** Schema-qualified name of the purge function (a constant, never user input). */
  purgeFunction: string;
  defaultDays: number;
}

export interface PurgeOptions {
  /** Names the advisory lock: one replica purges at a time. */
  lockName: string;
  targets: PurgeTarget[];
  now: Date;
  /** Rows per DELETE statement (each its own short transaction). */
  batchSize: number;
  /** Statements per class and run, so one run is bounded; the next run continues. */
  maxBatches: number;
}

/**
 * Purges every target in bounded batches while holding a session advisory lock, so two replicas
 * never purge at once. Returns rows deleted per class, or null when another replica holds the lock.
 */
export async function purgeExpired(
  dataSource: DataSource,
  options: PurgeOptions,
): Promise<Record<string, number> | null> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }]: { locked: boolean }[] = await runner.query(
      `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
      [options.lockName],
    );
    if (!locked) return null;
    try {
      const purged: Record<string, number> = {};
      for (const target of options.targets) {
        purged[target.dataClass] = 0;
        for (let batch = 0; batch < options.maxBatches; batch++) {
          const [{ deleted }]: { deleted: number }[] = await runner.query(
            `SELECT ${target.purgeFunction}($1, $2, $3) AS deleted`,
            [options.now, target.defaultDays, options.batchSize],
          );
          purged[target.dataClass] += deleted;
          if (deleted < options.batchSize) break;
        }
      }
      return purged;
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [options.lockName]);
    }
  } finally {
    await runner.release();
  }
}

/** What a purge function reads: the table, its time column, and where the tenants' windows are. */
export interface PurgeFunction {
  name: string;
  table: string;
  /** Must have a B-tree index: the purge reads the table through it. */
  timeColumn: string;
  windowsTable: string;
  windowColumn: string;
  /** A floor no window goes under, whatever the tenant's row says (the audit log's year). */
  minimumDays?: number;
}

/**
 * The migration SQL of a purge function (created or replaced). SECURITY DEFINER: it runs as the
 * schema owner, who gets read and delete policies on the table (the app role never sees other
 * tenants). Rows are read oldest first through the time column's index, from before the shortest
 * window any tenant has: a run with nothing expired reads no row, where a join on each row's tenant
 * window alone made PostgreSQL scan the whole table every run.
 */
export function purgeFunctionSql(options: PurgeFunction): string {
  const { name, table, timeColumn, windowsTable, windowColumn } = options;
  const floor = (days: string) =>
    options.minimumDays === undefined ? days : `GREATEST(${days}, ${options.minimumDays})`;
  return `CREATE OR REPLACE FUNCTION ${name}(p_now timestamptz, p_default_days integer, p_batch integer) RETURNS integer
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      WITH gone AS (
        DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
          SELECT t.ctid FROM ${table} t LEFT JOIN ${windowsTable} w ON w.tenant_id = t.tenant_id
           WHERE t.${timeColumn} < p_now - make_interval(days => ${floor(`(SELECT LEAST(p_default_days, min(${windowColumn})) FROM ${windowsTable})`)})
             AND t.${timeColumn} < p_now - make_interval(days => ${floor(`COALESCE(w.${windowColumn}, p_default_days)`)})
           ORDER BY t.${timeColumn}
           LIMIT p_batch))
        RETURNING 1)
      SELECT count(*)::integer FROM gone $$`;
}

/** The migration that gives databases created before it the purge functions as purgeFunctionSql writes them now. */
export function purgeByTimeIndexMigration(functions: PurgeFunction[]): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = 'PurgeByTimeIndex1796000500000';

    async up(runner: QueryRunner): Promise<void> {
      for (const fn of functions) await runner.query(purgeFunctionSql(fn));
    }

    // The functions before read the same rows (through a whole-table scan): nothing to undo.
    async down(): Promise<void> {}
  };
}

/** Policies that let the schema owner (the purge functions' definer) read and delete every tenant's rows. */
export function ownerPurgePolicies(table: string): string[] {
  const base = table.split('.').pop();
  return [
    `CREATE POLICY ${base}_owner_purge_read ON ${table} FOR SELECT TO CURRENT_USER USING (true)`,
    `CREATE POLICY ${base}_owner_purge ON ${table} FOR DELETE TO CURRENT_USER USING (true)`,
  ];
}
