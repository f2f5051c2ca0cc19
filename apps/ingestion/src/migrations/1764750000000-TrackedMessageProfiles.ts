import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The profile of each tracked message, so a subject's dedup records can be erased and exported
 * (null for rows written before this column existed: they age out with the dedup window).
 */
export class TrackedMessageProfiles1764750000000 implements MigrationInterface {
  name = 'TrackedMessageProfiles1764750000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "ingestion"."tracked_messages" ADD "profile_id" uuid`);
    await runner.query(
      `CREATE INDEX "tracked_messages_profile_idx" ON "ingestion"."tracked_messages" ("tenant_id", "profile_id")`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "ingestion"."tracked_messages_profile_idx"`);
    await runner.query(`ALTER TABLE "ingestion"."tracked_messages" DROP COLUMN "profile_id"`);
  }
}
