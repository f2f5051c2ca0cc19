import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and processed-event tables of a service schema (entities in messaging.entities.ts),
 * for the service's first migration; batchOutboxRows reshapes the outbox since. The entity/migration
 * check keeps the two in step.
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

/**
 * Outbox rows become one per outbox write instead of one per event: `messages` holds the write's
 * events as a JSON array of `{ eventId, key, headers, value }` (`value` the payload's JSON text), in
 * order, stored as text that PostgreSQL does not parse, uncompressed (compressOutboxMessages
 * compresses it with lz4 since). Additive, so that the previous release runs against it during a
 * rollout: the per-event columns stay (now nullable) for the rows it writes, and the relay
 * publishes both kinds. Its relay refuses a batched row (no headers: kafkajs throws, the round rolls
 * back), so nothing is published wrongly while both run. The view `outbox_messages` lists the
 * waiting events one per row, for operators and tests.
 */
export async function batchOutboxRows(runner: QueryRunner, schema: string): Promise<void> {
  const outbox = `"${schema}"."outbox"`;
  await runner.query(`ALTER TABLE ${outbox}
    ADD COLUMN "messages" text, ADD COLUMN "message_count" integer,
    ALTER COLUMN "event_id" DROP NOT NULL, ALTER COLUMN "message_key" DROP NOT NULL,
    ALTER COLUMN "payload" DROP NOT NULL, ALTER COLUMN "headers" DROP NOT NULL`);
  await runner.query(`ALTER TABLE ${outbox} ALTER COLUMN "messages" SET STORAGE EXTERNAL`);
  await runner.query(`CREATE VIEW "${schema}"."outbox_messages" AS
    SELECT o."position", m."n" AS "index", o."topic", (m."message"->>'eventId')::uuid AS "event_id",
           m."message"->>'key' AS "message_key", (m."message"->>'value')::jsonb AS "payload",
           m."message"->'headers' AS "headers", o."created_at"
      FROM ${outbox} o,
           json_array_elements(coalesce(o."messages"::json, json_build_array(json_build_object('eventId',
             o."event_id", 'key', o."message_key", 'headers', o."headers", 'value', o."payload"::text))))
             WITH ORDINALITY AS m("message", "n")`);
}

/** Back to one row per event: batched rows are split, in order (their positions are new). */
export async function unbatchOutboxRows(runner: QueryRunner, schema: string): Promise<void> {
  const outbox = `"${schema}"."outbox"`;
  await runner.query(`DROP VIEW "${schema}"."outbox_messages"`);
  await runner.query(
    `INSERT INTO ${outbox} ("event_id", "topic", "message_key", "payload", "headers", "created_at")
     SELECT (m->>'eventId')::uuid, o."topic", m->>'key', (m->>'value')::jsonb, (m->'headers')::jsonb, o."created_at"
       FROM ${outbox} o, json_array_elements(o."messages"::json) WITH ORDINALITY AS e(m, n)
      WHERE o."messages" IS NOT NULL ORDER BY o."position", e.n`,
  );
  await runner.query(`DELETE FROM ${outbox} WHERE "messages" IS NOT NULL`);
  await runner.query(`ALTER TABLE ${outbox} DROP COLUMN "messages", DROP COLUMN "message_count",
    ALTER COLUMN "event_id" SET NOT NULL, ALTER COLUMN "message_key" SET NOT NULL,
    ALTER COLUMN "payload" SET NOT NULL, ALTER COLUMN "headers" SET NOT NULL`);
}

/**
 * The outbox's `messages` compressed with lz4 where the server has it (PostgreSQL 14+ built with
 * lz4, as the PGDG and Debian packages are). A write of 100 tracking events is ~170 KB of JSON text:
 * uncompressed, that is ~85 TOAST chunks inserted, logged and deleted again per write; lz4 keeps a
 * quarter of it and costs less than the chunks it saves (insert 1.3 -> 0.8 ms, docs/benchmarks.md).
 * pglz costs more than it saves (2.5 ms), so a server without lz4 keeps the column uncompressed.
 */
export async function compressOutboxMessages(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`DO $$ BEGIN
    IF 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings WHERE name = 'default_toast_compression') THEN
      ALTER TABLE "${schema}"."outbox" ALTER COLUMN "messages" SET STORAGE EXTENDED,
        ALTER COLUMN "messages" SET COMPRESSION lz4;
    END IF;
  END $$`);
}

export async function uncompressOutboxMessages(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`ALTER TABLE "${schema}"."outbox" ALTER COLUMN "messages" SET STORAGE EXTERNAL,
    ALTER COLUMN "messages" SET COMPRESSION DEFAULT`);
}

/** A migration that applies `up` and `down` to the schema it is made for: the same in every service. */
function schemaMigration(
  migrationName: string,
  up: (runner: QueryRunner, schema: string) => Promise<void>,
  down: (runner: QueryRunner, schema: string) => Promise<void>,
): (schema: string) => new () => MigrationInterface {
  return (schema) =>
    class implements MigrationInterface {
      name = migrationName;

      async up(runner: QueryRunner): Promise<void> {
        await up(runner, schema);
      }

      async down(runner: QueryRunner): Promise<void> {
        await down(runner, schema);
      }
    };
}

export const outboxBatchesMigration = schemaMigration(
  'OutboxBatches1796000300000',
  batchOutboxRows,
  unbatchOutboxRows,
);

export const outboxCompressionMigration = schemaMigration(
  'OutboxCompression1796000400000',
  compressOutboxMessages,
  uncompressOutboxMessages,
);
