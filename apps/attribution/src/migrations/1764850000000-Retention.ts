import {
  enableTenantRls,
  ownerPurgePolicies,
  purgeFunctionSql,
  type PurgeFunction,
} from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export const TOUCHPOINTS_PURGE: PurgeFunction = {
  name: 'attribution.purge_touchpoints',
  table: 'attribution.touchpoints',
  timeColumn: 'touched_at',
  windowsTable: 'attribution.retention_windows',
  windowColumn: 'journeys_days',
};

/**
 * Each tenant's journeys window (from privacy.retention.changed.v1; no row: the default) and the
 * touchpoint purge: a SECURITY DEFINER function of the schema owner, who alone may read and delete
 * every tenant's touchpoints (see ingestion's Retention migration).
 */
export class Retention1764850000000 implements MigrationInterface {
  name = 'Retention1764850000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE attribution.retention_windows (
      tenant_id uuid NOT NULL PRIMARY KEY,
      journeys_days integer NOT NULL,
      changed_at timestamptz NOT NULL)`);
    await enableTenantRls(runner, 'attribution.retention_windows');
    await runner.query(
      `CREATE POLICY retention_windows_owner_read ON attribution.retention_windows
         FOR SELECT TO CURRENT_USER USING (true)`,
    );
    for (const sql of ownerPurgePolicies('attribution.touchpoints')) await runner.query(sql);
    await runner.query(`CREATE INDEX touchpoints_touched_at ON attribution.touchpoints (touched_at)`);
    await runner.query(purgeFunctionSql(TOUCHPOINTS_PURGE));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION attribution.purge_touchpoints(timestamptz, integer, integer)`);
    await runner.query(`DROP INDEX attribution.touchpoints_touched_at`);
    await runner.query(`DROP POLICY touchpoints_owner_purge ON attribution.touchpoints`);
    await runner.query(`DROP POLICY touchpoints_owner_purge_read ON attribution.touchpoints`);
    await runner.query(`DROP TABLE attribution.retention_windows`);
  }
}
