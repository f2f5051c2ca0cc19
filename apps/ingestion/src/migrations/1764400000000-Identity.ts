import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1764400000000 implements MigrationInterface {
  name = 'Identity1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "ingestion"."profiles" (
      "tenant_id" uuid NOT NULL,
      "profile_id" uuid NOT NULL,
      "canonical_key" text NOT NULL,
      "user_id" text,
      "merged_into" uuid,
      "merge_count" integer NOT NULL DEFAULT 0,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "profiles_pkey" PRIMARY KEY ("tenant_id", "profile_id"))`);
    await runner.query(`CREATE TABLE "ingestion"."profile_identifiers" (
      "tenant_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "value" text NOT NULL,
      "profile_id" uuid NOT NULL,
      "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "profile_identifiers_pkey" PRIMARY KEY ("tenant_id", "kind", "value"),
      CONSTRAINT "profile_identifiers_kind_check"
        CHECK ("kind" IN ('anonymousId', 'userId', 'emailHash', 'customerId')))`);
    await runner.query(
      `CREATE INDEX "profile_identifiers_profile_idx" ON "ingestion"."profile_identifiers" ("tenant_id", "profile_id")`,
    );
    await enableTenantRls(runner, 'ingestion.profiles');
    await enableTenantRls(runner, 'ingestion.profile_identifiers');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "ingestion"."profile_identifiers"`);
    await runner.query(`DROP TABLE "ingestion"."profiles"`);
  }
}
