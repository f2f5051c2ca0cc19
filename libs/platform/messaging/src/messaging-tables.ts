import type { QueryRunner } from 'typeorm';

/**
 * The outbox and processed-event tables of a service schema (entities in messaging.entities.ts),
 * for the service's first migration. The entity/migration check keeps the two in step.
 */
export async function createMessagingTables(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`CREATE TABLE "${schema}"."outbox" (
    "position" BIGSERIAL NOT NULL,
    "event_id" uuid NOT NULL,
    "topic" text NOT NULL,
    "message_key" text NOT NULL,
    "payload" jsonb NOT NULL,
    "headers" jsonb NOT NULL,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("position"))`);
  await runner.query(`CREATE UNIQUE INDEX "outbox_event_id_key" ON "${schema}"."outbox" ("event_id")`);
  await runner.query(`CREATE TABLE "${schema}"."processed_events" (
    "consumer_group" text NOT NULL,
    "event_id" uuid NOT NULL,
    "tenant_id" uuid NOT NULL,
    "topic" text NOT NULL,
    "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer_group", "event_id"))`);
}

export async function dropMessagingTables(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`DROP TABLE "${schema}"."processed_events"`);
  await runner.query(`DROP TABLE "${schema}"."outbox"`);
}
