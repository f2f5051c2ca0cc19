import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tracking1764500000000 implements MigrationInterface {
  name = 'Tracking1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "ingestion"."tracked_messages" (
      "tenant_id" uuid NOT NULL,
      "message_id" text NOT NULL,
      "event_id" uuid NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "tracked_messages_pkey" PRIMARY KEY ("tenant_id", "message_id"))`);
    await runner.query(
      `CREATE INDEX "tracked_messages_received_at_idx" ON "ingestion"."tracked_messages" ("received_at")`,
    );
    await runner.query(`CREATE TABLE "ingestion"."dead_letters" (
      "position" BIGSERIAL NOT NULL,
      "dead_letter_id" uuid NOT NULL,
      "tenant_id" uuid NOT NULL,
      "source_id" text,
      "endpoint" text NOT NULL,
      "message_id" text,
      "errors" jsonb NOT NULL,
      "raw_event" jsonb,
      "envelope" jsonb,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "status" text NOT NULL DEFAULT 'pending',
      "replay_attempts" integer NOT NULL DEFAULT 0,
      "replayed_at" TIMESTAMP WITH TIME ZONE,
      "event_id" uuid,
      CONSTRAINT "dead_letters_status_check" CHECK ("status" IN ('pending', 'replayed')),
      CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("position"))`);
    await runner.query(
      `CREATE UNIQUE INDEX "dead_letters_dead_letter_id_key" ON "ingestion"."dead_letters" ("dead_letter_id")`,
    );
    await runner.query(
      `CREATE INDEX "dead_letters_tenant_status_idx" ON "ingestion"."dead_letters" ("tenant_id", "status", "position")`,
    );
    await runner.query(`CREATE TABLE "ingestion"."tracking_settings" (
      "tenant_id" uuid NOT NULL,
      "channel_rules" jsonb,
      "own_hosts" jsonb NOT NULL DEFAULT '[]',
      "max_event_age_days" integer,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "tracking_settings_pkey" PRIMARY KEY ("tenant_id"))`);
    await runner.query(`CREATE TABLE "ingestion"."source_health" (
      "tenant_id" uuid NOT NULL,
      "source_id" text NOT NULL,
      "minute" TIMESTAMP WITH TIME ZONE NOT NULL,
      "accepted" integer NOT NULL DEFAULT 0,
      "duplicates" integer NOT NULL DEFAULT 0,
      "rejected" integer NOT NULL DEFAULT 0,
      "with_click_id" integer NOT NULL DEFAULT 0,
      "with_user_id" integer NOT NULL DEFAULT 0,
      "with_either" integer NOT NULL DEFAULT 0,
      "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "source_health_pkey" PRIMARY KEY ("tenant_id", "source_id", "minute"))`);
    for (const table of ['tracked_messages', 'dead_letters', 'tracking_settings', 'source_health'])
      await enableTenantRls(runner, `ingestion.${table}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['source_health', 'tracking_settings', 'dead_letters', 'tracked_messages'])
      await runner.query(`DROP TABLE "ingestion"."${table}"`);
  }
}
