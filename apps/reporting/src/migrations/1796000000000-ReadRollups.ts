import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RESET_MARTS_FUNCTION } from './1795979475453-Marts';

const MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'];
const COUNTS = ['sessions', 'touches', 'spend_minor', 'impressions', 'clicks'];
const FRACTIONAL = MODELS.flatMap((m) => [`conv_${m}`, `rev_${m}`]);

/**
 * Read models for the dashboards' long periods: fct_daily_channel per month, converting orders
 * per day and currency, and each customer's first converting order; filled from the existing
 * marts here and kept in step by the mart writer from then on.
 */
export class ReadRollups1796000000000 implements MigrationInterface {
  name = 'ReadRollups1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "fct_monthly_channel" (
                "tenant_id" uuid NOT NULL,
                "month" date NOT NULL,
                "channel" text NOT NULL,
                "campaign" text NOT NULL,
                "currency" text NOT NULL,
                ${COUNTS.map((c) => `"${c}" bigint NOT NULL DEFAULT '0',`).join('\n                ')}
                ${FRACTIONAL.map((c) => `"${c}" double precision NOT NULL DEFAULT '0',`).join('\n                ')}
                CONSTRAINT "PK_9c7961ca955f2b530b9fe279dee" PRIMARY KEY ("tenant_id", "month", "channel", "campaign", "currency")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_daily_orders" (
                "tenant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "currency" text NOT NULL,
                "orders" bigint NOT NULL DEFAULT '0',
                "net_revenue_minor" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_91e390d5b851ddf3b44558abc02" PRIMARY KEY ("tenant_id", "day", "currency")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "dim_customer" (
                "tenant_id" uuid NOT NULL,
                "customer_key" text NOT NULL,
                "first_order_day" date NOT NULL,
                CONSTRAINT "PK_7c5ce77b2aa169e1aa8ea124831" PRIMARY KEY ("tenant_id", "customer_key")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "dim_customer_first_order_idx" ON "dim_customer" ("tenant_id", "first_order_day")
        `);
    await queryRunner.query(`
            CREATE INDEX "fct_orders_customer_idx" ON "fct_orders" ("tenant_id", "customer_key")
        `);
    await queryRunner.query(`
            CREATE INDEX "fct_daily_channel_key_idx" ON "fct_daily_channel" ("tenant_id", "channel", "campaign", "currency", "day")
        `);
    // The owner reads the existing marts of every tenant once (row security is forced on them);
    // the migration's transaction puts it back before anything else can see the tables.
    await queryRunner.query(`ALTER TABLE "fct_daily_channel" NO FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE "fct_orders" NO FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`
            INSERT INTO "fct_monthly_channel" ("tenant_id", "month", "channel", "campaign", "currency", ${[...COUNTS, ...FRACTIONAL].map((c) => `"${c}"`).join(', ')})
            SELECT "tenant_id", date_trunc('month', "day")::date, "channel", "campaign", "currency",
              ${COUNTS.map((c) => `sum("${c}")`).join(', ')}, ${FRACTIONAL.map((c) => `sum("${c}"::numeric)::float8`).join(', ')}
            FROM "fct_daily_channel" GROUP BY 1, 2, 3, 4, 5
        `);
    await queryRunner.query(`
            INSERT INTO "fct_daily_orders" ("tenant_id", "day", "currency", "orders", "net_revenue_minor")
            SELECT "tenant_id", "day", "currency", count(*), sum("net_revenue_minor")
            FROM "fct_orders" WHERE "counts_as_conversion" GROUP BY 1, 2, 3
        `);
    await queryRunner.query(`
            INSERT INTO "dim_customer" ("tenant_id", "customer_key", "first_order_day")
            SELECT "tenant_id", "customer_key", min("day")
            FROM "fct_orders" WHERE "counts_as_conversion" AND "customer_key" IS NOT NULL GROUP BY 1, 2
        `);
    await queryRunner.query(`ALTER TABLE "fct_daily_channel" FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE "fct_orders" FORCE ROW LEVEL SECURITY`);
    for (const table of ['fct_monthly_channel', 'fct_daily_orders', 'dim_customer'])
      await enableTenantRls(queryRunner, `reporting.${table}`);
    await queryRunner.query(
      RESET_MARTS_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION').replace(
        'fct_daily_channel, fct_orders,',
        'fct_daily_channel, fct_monthly_channel, fct_orders, fct_daily_orders, dim_customer,',
      ),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(RESET_MARTS_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    await queryRunner.query(`DROP INDEX "reporting"."fct_daily_channel_key_idx"`);
    await queryRunner.query(`DROP INDEX "reporting"."fct_orders_customer_idx"`);
    await queryRunner.query(`DROP TABLE "dim_customer"`);
    await queryRunner.query(`DROP TABLE "fct_daily_orders"`);
    await queryRunner.query(`DROP TABLE "fct_monthly_channel"`);
  }
}
