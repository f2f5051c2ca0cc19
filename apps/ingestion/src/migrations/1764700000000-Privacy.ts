import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Privacy1764700000000 implements MigrationInterface {
  name = 'Privacy1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "ingestion"."privacy_requests" (
      "request_id" uuid NOT NULL,
      "tenant_id" uuid NOT NULL,
      "type" text NOT NULL,
      "status" text NOT NULL,
      "profile_ids" uuid array NOT NULL,
      "requested_by" text NOT NULL,
      "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "privacy_requests_pkey" PRIMARY KEY ("request_id"))`);
    await runner.query(`CREATE TABLE "ingestion"."privacy_request_services" (
      "request_id" uuid NOT NULL,
      "service" text NOT NULL,
      "tenant_id" uuid NOT NULL,
      "status" text NOT NULL,
      "erased" jsonb NOT NULL DEFAULT '{}',
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "privacy_request_services_pkey" PRIMARY KEY ("request_id", "service"))`);
    await runner.query(`CREATE TABLE "ingestion"."suppressed_identifiers" (
      "suppression_id" uuid NOT NULL,
      "tenant_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "value_hash" text NOT NULL,
      "request_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "suppressed_identifiers_pkey" PRIMARY KEY ("suppression_id"))`);
    await runner.query(
      `CREATE UNIQUE INDEX "suppressed_identifiers_lookup" ON "ingestion"."suppressed_identifiers" ("tenant_id", "kind", "value_hash")`,
    );
    for (const table of ['privacy_requests', 'privacy_request_services', 'suppressed_identifiers'])
      await enableTenantRls(runner, `ingestion.${table}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "ingestion"."suppressed_identifiers"`);
    await runner.query(`DROP TABLE "ingestion"."privacy_request_services"`);
    await runner.query(`DROP TABLE "ingestion"."privacy_requests"`);
  }
}
