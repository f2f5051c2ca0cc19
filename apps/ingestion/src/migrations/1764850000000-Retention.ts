import {
  enableTenantRls,
  ownerPurgePolicies,
  purgeFunctionSql,
  type PurgeFunction,
} from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export const TRACKED_MESSAGES_PURGE: PurgeFunction = {
  name: 'ingestion.purge_tracked_messages',
  table: 'ingestion.tracked_messages',
  timeColumn: 'received_at',
  windowsTable: 'ingestion.retention_settings',
  windowColumn: 'raw_events_days',
};

export const DEAD_LETTERS_PURGE: PurgeFunction = {
  name: 'ingestion.purge_dead_letters',
  table: 'ingestion.dead_letters',
  timeColumn: 'received_at',
  windowsTable: 'ingestion.retention_settings',
  windowColumn: 'dead_letters_days',
};

/**
 * Retention windows per tenant (days per data class; no row: the defaults) and the purge functions
 * of ingestion's classes. A purge spans tenants, which the app role cannot see at once, so each
 * purge is a SECURITY DEFINER function owned by the schema owner, who alone gets read/delete
 * policies on the purged tables; it deletes only rows past their tenant's window, in bounded batches.
 */
export class Retention1764850000000 implements MigrationInterface {
  name = 'Retention1764850000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "ingestion"."retention_settings" (
      "tenant_id" uuid NOT NULL,
      "raw_events_days" integer NOT NULL,
      "dead_letters_days" integer NOT NULL,
      "journeys_days" integer NOT NULL,
      "audit_log_days" integer NOT NULL CHECK ("audit_log_days" >= 365),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "retention_settings_pkey" PRIMARY KEY ("tenant_id"))`);
    await enableTenantRls(runner, 'ingestion.retention_settings');
    await runner.query(
      `CREATE POLICY retention_settings_owner_read ON ingestion.retention_settings
         FOR SELECT TO CURRENT_USER USING (true)`,
    );
    for (const table of ['ingestion.tracked_messages', 'ingestion.dead_letters'])
      for (const sql of ownerPurgePolicies(table)) await runner.query(sql);
    await runner.query(
      `CREATE INDEX "dead_letters_received_at_idx" ON "ingestion"."dead_letters" ("received_at")`,
    );
    await runner.query(purgeFunctionSql(TRACKED_MESSAGES_PURGE));
    await runner.query(purgeFunctionSql(DEAD_LETTERS_PURGE));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ingestion.purge_dead_letters(timestamptz, integer, integer)`);
    await runner.query(`DROP FUNCTION ingestion.purge_tracked_messages(timestamptz, integer, integer)`);
    await runner.query(`DROP INDEX "ingestion"."dead_letters_received_at_idx"`);
    for (const table of ['tracked_messages', 'dead_letters']) {
      await runner.query(`DROP POLICY ${table}_owner_purge ON ingestion.${table}`);
      await runner.query(`DROP POLICY ${table}_owner_purge_read ON ingestion.${table}`);
    }
    await runner.query(`DROP TABLE "ingestion"."retention_settings"`);
  }
}
