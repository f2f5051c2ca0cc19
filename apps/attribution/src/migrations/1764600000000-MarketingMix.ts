import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MarketingMix1764600000000 implements MigrationInterface {
  name = 'MarketingMix1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "attribution"."mmm_daily_spend" (
      "tenant_id" uuid NOT NULL,
      "spend_date" date NOT NULL,
      "channel" text NOT NULL,
      "campaign" text NOT NULL,
      "currency" text NOT NULL,
      "amount_minor" bigint NOT NULL,
      "revision" integer NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "mmm_daily_spend_pkey" PRIMARY KEY ("tenant_id", "spend_date", "channel", "campaign"))`);
    await runner.query(`CREATE TABLE "attribution"."mmm_datasets" (
      "tenant_id" uuid NOT NULL,
      "dataset_id" uuid NOT NULL,
      "name" text NOT NULL,
      "data" jsonb NOT NULL,
      "warnings" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "mmm_datasets_pkey" PRIMARY KEY ("tenant_id", "dataset_id"))`);
    await runner.query(`CREATE TABLE "attribution"."mmm_fits" (
      "tenant_id" uuid NOT NULL,
      "fit_id" uuid NOT NULL,
      "status" text NOT NULL,
      "source" text NOT NULL,
      "dataset_id" uuid,
      "date_from" date NOT NULL,
      "date_to" date NOT NULL,
      "channels" jsonb NOT NULL,
      "data" jsonb NOT NULL,
      "config" jsonb NOT NULL,
      "sampling" jsonb NOT NULL,
      "progress" jsonb NOT NULL,
      "warnings" jsonb NOT NULL,
      "verdict" text,
      "error" text,
      "diagnostics" jsonb,
      "result" jsonb,
      "response" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE,
      "completed_at" TIMESTAMP WITH TIME ZONE,
      "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "mmm_fits_pkey" PRIMARY KEY ("tenant_id", "fit_id"),
      CONSTRAINT "mmm_fits_status_check" CHECK ("status" IN ('queued', 'running', 'cancelling', 'succeeded', 'not_converged', 'failed', 'cancelled')),
      CONSTRAINT "mmm_fits_source_check" CHECK ("source" IN ('dataset', 'events')))`);
    await runner.query(
      `CREATE INDEX "mmm_fits_created_idx" ON "attribution"."mmm_fits" ("tenant_id", "created_at")`,
    );
    await enableTenantRls(runner, 'attribution.mmm_daily_spend');
    await enableTenantRls(runner, 'attribution.mmm_datasets');
    await enableTenantRls(runner, 'attribution.mmm_fits');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "attribution"."mmm_fits"`);
    await runner.query(`DROP TABLE "attribution"."mmm_datasets"`);
    await runner.query(`DROP TABLE "attribution"."mmm_daily_spend"`);
  }
}
