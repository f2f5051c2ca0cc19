import { enableTenantRls } from '@sextant/platform/database';
import { createMessagingTables, dropMessagingTables } from '@sextant/platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await createMessagingTables(runner, 'reporting');
    await runner.query(`CREATE TABLE "reporting"."ping_arrivals" (
      "ping_id" uuid NOT NULL,
      "tenant_id" uuid NOT NULL,
      "note" text,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "arrived_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "ping_arrivals_pkey" PRIMARY KEY ("ping_id"))`);
    await enableTenantRls(runner, 'reporting.ping_arrivals');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "reporting"."ping_arrivals"`);
    await dropMessagingTables(runner, 'reporting');
  }
}
