import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Forecasting1764400000000 implements MigrationInterface {
  name = 'Forecasting1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "forecasting"."ts_demand_daily" (
      "tenant_id" uuid NOT NULL,
      "sku" varchar(255) NOT NULL,
      "day" date NOT NULL,
      "ordered" double precision NOT NULL DEFAULT 0,
      "imported" double precision NOT NULL DEFAULT 0,
      CONSTRAINT "ts_demand_daily_pkey" PRIMARY KEY ("tenant_id", "sku", "day"))`);
    await runner.query(`CREATE TABLE "forecasting"."order_contributions" (
      "tenant_id" uuid NOT NULL,
      "order_id" varchar(255) NOT NULL,
      "revision" integer NOT NULL,
      "lines" jsonb NOT NULL,
      CONSTRAINT "order_contributions_pkey" PRIMARY KEY ("tenant_id", "order_id"))`);
    await runner.query(`CREATE TABLE "forecasting"."forecast_runs" (
      "run_id" uuid NOT NULL,
      "tenant_id" uuid NOT NULL,
      "kind" varchar(16) NOT NULL,
      "status" varchar(24) NOT NULL,
      "trigger" varchar(16) NOT NULL,
      "frequency" varchar(8) NOT NULL,
      "horizon" integer NOT NULL,
      "season" integer NOT NULL,
      "levels" integer[] NOT NULL,
      "options" jsonb NOT NULL,
      "history_end" date,
      "skus_total" integer NOT NULL,
      "skus_succeeded" integer NOT NULL DEFAULT 0,
      "skus_failed" integer NOT NULL DEFAULT 0,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "forecast_runs_pkey" PRIMARY KEY ("run_id"))`);
    await runner.query(
      `CREATE INDEX "forecast_runs_tenant_created" ON "forecasting"."forecast_runs" ("tenant_id", "created_at")`,
    );
    await runner.query(`CREATE TABLE "forecasting"."forecast_results" (
      "run_id" uuid NOT NULL,
      "sku" varchar(255) NOT NULL,
      "tenant_id" uuid NOT NULL,
      "status" varchar(16) NOT NULL,
      "class" varchar(16),
      "adi" double precision,
      "cv2" double precision,
      "method" varchar(64),
      "model" varchar(64),
      "cv_error" double precision,
      "points" jsonb NOT NULL DEFAULT '[]',
      "metrics" jsonb,
      "fallback" text,
      "error" text,
      "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
      CONSTRAINT "forecast_results_pkey" PRIMARY KEY ("run_id", "sku"))`);
    await runner.query(
      `CREATE INDEX "forecast_results_tenant_sku" ON "forecasting"."forecast_results" ("tenant_id", "sku", "computed_at")`,
    );
    await runner.query(`CREATE TABLE "forecasting"."forecast_schedules" (
      "tenant_id" uuid NOT NULL,
      "enabled" boolean NOT NULL,
      "every_hours" integer NOT NULL,
      "horizon" integer NOT NULL,
      "frequency" varchar(8) NOT NULL,
      "season" integer,
      "levels" integer[] NOT NULL,
      "next_run_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "last_run_id" uuid,
      CONSTRAINT "forecast_schedules_pkey" PRIMARY KEY ("tenant_id"))`);
    // The scheduler's cross-tenant index of what is due: tenant ids and times only, no tenant data
    // (a scheduler cannot see due schedules through RLS without knowing the tenant first).
    await runner.query(`CREATE TABLE "forecasting"."schedule_slots" (
      "tenant_id" uuid NOT NULL,
      "next_run_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "schedule_slots_pkey" PRIMARY KEY ("tenant_id"))`);
    for (const table of [
      'ts_demand_daily',
      'order_contributions',
      'forecast_runs',
      'forecast_results',
      'forecast_schedules',
    ])
      await enableTenantRls(runner, `forecasting.${table}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'schedule_slots',
      'forecast_schedules',
      'forecast_results',
      'forecast_runs',
      'order_contributions',
      'ts_demand_daily',
    ])
      await runner.query(`DROP TABLE "forecasting"."${table}"`);
  }
}
