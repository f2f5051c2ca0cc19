import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * fct_daily_channel's (tenant_id, day) index repeats the start of its primary key. It cost every
 * mart write an index update, and with stale statistics the planner read export pages through it
 * and sorted them, instead of reading the primary key in order.
 */
export class DropRedundantDayIndex1796000200000 implements MigrationInterface {
  name = 'DropRedundantDayIndex1796000200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "reporting"."fct_daily_channel_day_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "fct_daily_channel_day_idx" ON "fct_daily_channel" ("tenant_id", "day")`,
    );
  }
}
