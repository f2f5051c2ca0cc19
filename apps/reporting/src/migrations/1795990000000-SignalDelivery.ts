import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outgoing signal webhooks with their delivery outbox, and the scheduled detection's slots. */
export class SignalDelivery1795990000000 implements MigrationInterface {
  name = 'SignalDelivery1795990000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "webhook_subscriptions" (
                "tenant_id" uuid NOT NULL,
                "webhook_id" uuid NOT NULL,
                "url" text NOT NULL,
                "min_severity" text NOT NULL CHECK ("min_severity" IN ('low', 'medium', 'high')),
                "enabled" boolean NOT NULL DEFAULT true,
                "secret_sealed" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("tenant_id", "webhook_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "tenant_id" uuid NOT NULL,
                "delivery_id" uuid NOT NULL,
                "webhook_id" uuid NOT NULL,
                "signal_id" uuid NOT NULL,
                "body" text NOT NULL,
                "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'delivered', 'failed')),
                "attempts" integer NOT NULL DEFAULT 0,
                "last_status_code" integer,
                "last_error" text,
                "next_attempt_at" TIMESTAMP WITH TIME ZONE,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("tenant_id", "delivery_id"),
                CONSTRAINT "webhook_deliveries_webhook_fkey" FOREIGN KEY ("tenant_id", "webhook_id")
                  REFERENCES "webhook_subscriptions" ("tenant_id", "webhook_id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_deliveries_history_idx" ON "webhook_deliveries" ("tenant_id", "webhook_id", "created_at")
        `);
    // Cross-tenant indexes of due work: ids and times only, no tenant data (a worker cannot find
    // due rows through RLS without knowing the tenant first), as forecasting's schedule_slots.
    await queryRunner.query(`
            CREATE TABLE "webhook_delivery_slots" (
                "tenant_id" uuid NOT NULL,
                "delivery_id" uuid NOT NULL,
                "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "webhook_delivery_slots_pkey" PRIMARY KEY ("tenant_id", "delivery_id"),
                CONSTRAINT "webhook_delivery_slots_delivery_fkey" FOREIGN KEY ("tenant_id", "delivery_id")
                  REFERENCES "webhook_deliveries" ("tenant_id", "delivery_id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "webhook_delivery_slots_due_idx" ON "webhook_delivery_slots" ("next_attempt_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "detection_slots" (
                "tenant_id" uuid NOT NULL,
                "next_run_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "detection_slots_pkey" PRIMARY KEY ("tenant_id")
            )
        `);
    await enableTenantRls(queryRunner, 'reporting.webhook_subscriptions');
    await enableTenantRls(queryRunner, 'reporting.webhook_deliveries');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'detection_slots',
      'webhook_delivery_slots',
      'webhook_deliveries',
      'webhook_subscriptions',
    ])
      await queryRunner.query(`DROP TABLE "reporting"."${table}"`);
  }
}
