import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The consent categories a tenant requires per use (attribution, analytics); none by default. */
export class ConsentRequirements1764800000000 implements MigrationInterface {
  name = 'ConsentRequirements1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "ingestion"."tracking_settings"
         ADD "consent_required" jsonb NOT NULL DEFAULT '{"attribution":[],"analytics":[]}'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "ingestion"."tracking_settings" DROP COLUMN "consent_required"`);
  }
}
