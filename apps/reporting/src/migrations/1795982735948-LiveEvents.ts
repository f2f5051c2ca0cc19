import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LiveEvents1795982735948 implements MigrationInterface {
  name = 'LiveEvents1795982735948';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "live_events" (
                "tenant_id" uuid NOT NULL,
                "seq" BIGSERIAL NOT NULL,
                "kind" text NOT NULL,
                "data" jsonb NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_7090aca030f35746e1eef2b6ebd" PRIMARY KEY ("tenant_id", "seq")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "live_events_kind_idx" ON "live_events" ("tenant_id", "kind", "at")
        `);
    await enableTenantRls(queryRunner, 'reporting.live_events');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "reporting"."live_events_kind_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "live_events"
        `);
  }
}
