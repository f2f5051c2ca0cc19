import { enableTenantRls } from '@sextant/platform/database';
import { createMessagingTables, dropMessagingTables } from '@sextant/platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await createMessagingTables(runner, 'ingestion');
    await runner.query(`CREATE TABLE "ingestion"."pings" (
      "id" uuid NOT NULL,
      "tenant_id" uuid NOT NULL,
      "note" text,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pings_pkey" PRIMARY KEY ("id"))`);
    await enableTenantRls(runner, 'ingestion.pings');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "ingestion"."pings"`);
    await dropMessagingTables(runner, 'ingestion');
  }
}
