import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Commerce webhooks (sources, deliveries for dedup, reduced orders), the PayPal certificate cache and
 * ad spend.
 *
 * A webhook arrives at `/webhooks/{provider}/{sourceId}` before anyone knows its tenant, and every
 * tenant table is behind FORCE ROW LEVEL SECURITY, which the app role cannot bypass. So the one
 * question "which tenant owns this source id" is answered by `webhook_source_tenant(uuid)`, a
 * SECURITY DEFINER function owned by the schema owner, who alone gets a read-everything policy on
 * `webhook_sources`. It returns only the tenant id (no secret, no other row); the service then
 * reads the source inside that tenant's transaction, under RLS, like any other tenant read.
 */
export class Commerce1764550000000 implements MigrationInterface {
  name = 'Commerce1764550000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "ingestion"."webhook_sources" (
      "tenant_id" uuid NOT NULL,
      "source_id" uuid NOT NULL,
      "provider" text NOT NULL,
      "name" text NOT NULL,
      "sealed_credentials" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "last_seen_at" TIMESTAMP WITH TIME ZONE,
      "deliveries" integer NOT NULL DEFAULT 0,
      "duplicates" integer NOT NULL DEFAULT 0,
      "signature_failures" integer NOT NULL DEFAULT 0,
      "rejected" integer NOT NULL DEFAULT 0,
      CONSTRAINT "webhook_sources_provider_check"
        CHECK ("provider" IN ('shopify', 'woocommerce', 'stripe', 'paypal')),
      CONSTRAINT "webhook_sources_pkey" PRIMARY KEY ("tenant_id", "source_id"))`);
    await runner.query(
      `CREATE UNIQUE INDEX "webhook_sources_source_id_key" ON "ingestion"."webhook_sources" ("source_id")`,
    );
    await enableTenantRls(runner, 'ingestion.webhook_sources');
    await runner.query(
      `CREATE POLICY webhook_sources_owner_lookup ON ingestion.webhook_sources
         FOR SELECT TO CURRENT_USER USING (true)`,
    );
    await runner.query(`CREATE FUNCTION ingestion.webhook_source_tenant(p_source_id uuid) RETURNS uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
      AS $$ SELECT tenant_id FROM ingestion.webhook_sources WHERE source_id = p_source_id $$`);

    await runner.query(`CREATE TABLE "ingestion"."webhook_deliveries" (
      "tenant_id" uuid NOT NULL,
      "event_id" text NOT NULL,
      "source_id" uuid NOT NULL,
      "topic" text,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("tenant_id", "event_id"))`);
    await enableTenantRls(runner, 'ingestion.webhook_deliveries');

    await runner.query(`CREATE TABLE "ingestion"."orders" (
      "tenant_id" uuid NOT NULL,
      "order_id" text NOT NULL,
      "provider" text NOT NULL,
      "source_id" uuid NOT NULL,
      "state" jsonb,
      "revision" integer NOT NULL DEFAULT 0,
      "profile_id" uuid,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "orders_pkey" PRIMARY KEY ("tenant_id", "order_id"))`);
    await enableTenantRls(runner, 'ingestion.orders');

    await runner.query(`CREATE TABLE "ingestion"."paypal_certificates" (
      "cert_url" text NOT NULL,
      "pem" text NOT NULL,
      "fetched_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "paypal_certificates_pkey" PRIMARY KEY ("cert_url"))`);

    await runner.query(`CREATE TABLE "ingestion"."ad_spend" (
      "tenant_id" uuid NOT NULL,
      "date" date NOT NULL,
      "channel" text NOT NULL,
      "campaign" text NOT NULL,
      "currency" text NOT NULL,
      "amount_minor" bigint NOT NULL,
      "impressions" bigint,
      "clicks" bigint,
      "revision" integer NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "ad_spend_pkey" PRIMARY KEY ("tenant_id", "date", "channel", "campaign"))`);
    await enableTenantRls(runner, 'ingestion.ad_spend');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "ingestion"."ad_spend"`);
    await runner.query(`DROP TABLE "ingestion"."paypal_certificates"`);
    await runner.query(`DROP TABLE "ingestion"."orders"`);
    await runner.query(`DROP TABLE "ingestion"."webhook_deliveries"`);
    await runner.query(`DROP FUNCTION ingestion.webhook_source_tenant(uuid)`);
    await runner.query(`DROP TABLE "ingestion"."webhook_sources"`);
  }
}
