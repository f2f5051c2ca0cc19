import {
  enableTenantRls,
  ownerPurgePolicies,
  purgeFunctionSql,
  type PurgeFunction,
} from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log never keeps less than a year, whatever a tenant sets. */
export const AUDIT_LOG_MINIMUM_DAYS = 365;

export const AUDIT_EVENTS_PURGE: PurgeFunction = {
  name: 'auth.purge_audit_events',
  table: 'auth.audit_events',
  timeColumn: 'occurred_at',
  windowsTable: 'auth.retention_windows',
  windowColumn: 'audit_log_days',
  minimumDays: AUDIT_LOG_MINIMUM_DAYS,
};

/**
 * Each tenant's audit log window (from privacy.retention.changed.v1; no row, or a tenantless event:
 * the default) and its purge. The audit log stays append-only for the app role: the only delete it
 * can cause is this SECURITY DEFINER function, which removes rows past the window and never younger
 * than AUDIT_LOG_MINIMUM_DAYS.
 */
export class AuditRetention1764850000000 implements MigrationInterface {
  name = 'AuditRetention1764850000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE auth.retention_windows (
      tenant_id uuid NOT NULL PRIMARY KEY,
      audit_log_days integer NOT NULL CHECK (audit_log_days >= ${AUDIT_LOG_MINIMUM_DAYS}),
      changed_at timestamptz NOT NULL)`);
    await enableTenantRls(runner, 'auth.retention_windows');
    await runner.query(
      `CREATE POLICY retention_windows_owner_read ON auth.retention_windows FOR SELECT TO CURRENT_USER USING (true)`,
    );
    for (const sql of ownerPurgePolicies('auth.audit_events')) await runner.query(sql);
    await runner.query(`CREATE INDEX audit_events_occurred_at ON auth.audit_events (occurred_at)`);
    await runner.query(purgeFunctionSql(AUDIT_EVENTS_PURGE));
    await runner.query(
      `REVOKE ALL ON FUNCTION auth.purge_audit_events(timestamptz, integer, integer) FROM PUBLIC`,
    );
    await runner.query(
      `GRANT EXECUTE ON FUNCTION auth.purge_audit_events(timestamptz, integer, integer) TO auth_app`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION auth.purge_audit_events(timestamptz, integer, integer)`);
    await runner.query(`DROP INDEX auth.audit_events_occurred_at`);
    await runner.query(`DROP POLICY audit_events_owner_purge ON auth.audit_events`);
    await runner.query(`DROP POLICY audit_events_owner_purge_read ON auth.audit_events`);
    await runner.query(`DROP TABLE auth.retention_windows`);
  }
}
