import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables the cached dashboard reads (overview, channel table) are computed from. */
const CACHED_READ_TABLES = ['fct_daily_channel', 'fct_monthly_channel', 'fct_daily_orders', 'dim_customer'];

/**
 * mart_versions: per tenant, a number from a sequence, renewed by a statement trigger whenever one
 * of CACHED_READ_TABLES is written in a tenant's transaction (app.tenant_id set), and for every
 * tenant when one is truncated (a rebuild). A cached answer is keyed by the version read before
 * its query, so it is never served after a change became visible. The triggers run before their
 * statement, so a transaction takes the tenant's version row before any mart row: concurrent
 * writers of one tenant queue on it instead of deadlocking over it.
 */
export class MartVersions1796000100000 implements MigrationInterface {
  name = 'MartVersions1796000100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "mart_versions" (
                "tenant_id" uuid NOT NULL,
                "version" bigint NOT NULL,
                CONSTRAINT "PK_61c224e7415dda4928002c27be9" PRIMARY KEY ("tenant_id")
            )
        `);
    await queryRunner.query(`CREATE SEQUENCE "reporting"."mart_versions_seq"`);
    await queryRunner.query(`
            CREATE FUNCTION "reporting"."renew_mart_version"() RETURNS trigger
            LANGUAGE plpgsql SET search_path = reporting AS $$
            DECLARE
              tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
            BEGIN
              IF TG_OP = 'TRUNCATE' THEN
                UPDATE mart_versions SET version = nextval('mart_versions_seq');
              ELSIF tenant IS NOT NULL THEN
                INSERT INTO mart_versions (tenant_id, version) VALUES (tenant, nextval('mart_versions_seq'))
                ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
              END IF;
              RETURN NULL;
            END $$
        `);
    for (const table of CACHED_READ_TABLES) {
      await queryRunner.query(`
            CREATE TRIGGER "${table}_renews_mart_version" BEFORE INSERT OR UPDATE OR DELETE ON "${table}"
            FOR EACH STATEMENT EXECUTE FUNCTION "reporting"."renew_mart_version"()
        `);
      await queryRunner.query(`
            CREATE TRIGGER "${table}_truncate_renews_mart_versions" BEFORE TRUNCATE ON "${table}"
            FOR EACH STATEMENT EXECUTE FUNCTION "reporting"."renew_mart_version"()
        `);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of CACHED_READ_TABLES) {
      await queryRunner.query(`DROP TRIGGER "${table}_truncate_renews_mart_versions" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_renews_mart_version" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION "reporting"."renew_mart_version"()`);
    await queryRunner.query(`DROP SEQUENCE "reporting"."mart_versions_seq"`);
    await queryRunner.query(`DROP TABLE "mart_versions"`);
  }
}
