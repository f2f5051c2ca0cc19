import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_TABLES = [
  'tenant_settings',
  'stg_orders',
  'stg_order_lines',
  'stg_spend',
  'stg_credits',
  'stg_credit_lines',
  'stg_traffic',
  'fct_source_volume',
  'fct_daily_channel',
  'fct_orders',
  'fct_sku_daily',
  'fct_forecast',
  'fct_contributions',
  'fct_runs',
  'dim_channel',
  'dim_campaign',
  'dim_sku',
  'source_freshness',
  'members',
  'signals',
  'signal_activity',
];

/**
 * Documented conversion rates (value of one unit in USD, reference rates of 2026-11-02; minor
 * digits from ISO 4217). Amounts are stored in their original currency and converted at query
 * time, so correcting a rate needs no rebuild.
 */
const FX_RATES: [string, number, number][] = [
  ['USD', 2, 1],
  ['EUR', 2, 1.16],
  ['GBP', 2, 1.31],
  ['CHF', 2, 1.25],
  ['CAD', 2, 0.71],
  ['AUD', 2, 0.65],
  ['JPY', 0, 0.0065],
  ['SEK', 2, 0.105],
  ['NOK', 2, 0.099],
  ['DKK', 2, 0.155],
  ['PLN', 2, 0.272],
  ['BRL', 2, 0.185],
  ['MXN', 2, 0.054],
  ['INR', 2, 0.0113],
  ['CNY', 2, 0.14],
];

/**
 * Empties staging and marts and forgets which events reporting applied, so a replay from the
 * earliest offsets rebuilds them. SECURITY DEFINER: the app role may run it, not TRUNCATE at will.
 * Signals (user workflow) and tenant settings are kept.
 */
export const RESET_MARTS_FUNCTION = `CREATE FUNCTION "reporting"."reset_marts"() RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = reporting AS $$
    TRUNCATE stg_orders, stg_order_lines, stg_spend, stg_credits, stg_credit_lines, stg_traffic,
      fct_source_volume, fct_daily_channel, fct_orders, fct_sku_daily, fct_forecast, fct_contributions,
      fct_runs, dim_channel, dim_campaign, dim_sku, source_freshness, members;
    DELETE FROM processed_events WHERE consumer_group = 'reporting' AND topic <> 'ingestion.ping.recorded.v1';
$$`;

export class Marts1795979475453 implements MigrationInterface {
  name = 'Marts1795979475453';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "tenant_settings" (
                "tenant_id" uuid NOT NULL,
                "reporting_currency" text NOT NULL DEFAULT 'USD',
                CONSTRAINT "PK_a6abc1c3ed0df635955fc852f1c" PRIMARY KEY ("tenant_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fx_rates" (
                "currency" text NOT NULL,
                "minor_digits" integer NOT NULL,
                "usd_per_unit" double precision NOT NULL,
                CONSTRAINT "PK_bdfd4b932ff672e02e4ba2850e8" PRIMARY KEY ("currency")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "stg_orders" (
                "tenant_id" uuid NOT NULL,
                "order_id" text NOT NULL,
                "revision" integer NOT NULL,
                "payload" jsonb NOT NULL,
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_a324772f9affd36b45cb411c31e" PRIMARY KEY ("tenant_id", "order_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "stg_order_lines" (
                "tenant_id" uuid NOT NULL,
                "order_id" text NOT NULL,
                "line_no" integer NOT NULL,
                "sku" text NOT NULL,
                "day" date NOT NULL,
                "units" double precision NOT NULL,
                CONSTRAINT "PK_64a6d5b5bff65f94054dd4de0e9" PRIMARY KEY ("tenant_id", "order_id", "line_no")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "stg_order_lines_sku_day_idx" ON "stg_order_lines" ("tenant_id", "sku", "day")
        `);
    await queryRunner.query(`
            CREATE TABLE "stg_spend" (
                "tenant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "channel" text NOT NULL,
                "campaign" text NOT NULL,
                "revision" integer NOT NULL,
                "currency" text NOT NULL,
                "amount_minor" bigint NOT NULL,
                "impressions" bigint,
                "clicks" bigint,
                CONSTRAINT "PK_4148fa263f27fbd2337bde6e62a" PRIMARY KEY ("tenant_id", "day", "channel", "campaign")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "stg_credits" (
                "tenant_id" uuid NOT NULL,
                "order_id" text NOT NULL,
                "revision" integer NOT NULL,
                "day" date NOT NULL,
                "currency" text NOT NULL,
                CONSTRAINT "PK_085ebb56443025b6c84f3d67709" PRIMARY KEY ("tenant_id", "order_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "stg_credit_lines" (
                "tenant_id" uuid NOT NULL,
                "order_id" text NOT NULL,
                "model" text NOT NULL,
                "channel" text NOT NULL,
                "campaign" text NOT NULL,
                "day" date NOT NULL,
                "currency" text NOT NULL,
                "conversions" double precision NOT NULL,
                "revenue_minor" double precision NOT NULL,
                CONSTRAINT "PK_56918eb66dfb2ded00a066be56a" PRIMARY KEY (
                    "tenant_id",
                    "order_id",
                    "model",
                    "channel",
                    "campaign"
                )
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "stg_credit_lines_key_idx" ON "stg_credit_lines" ("tenant_id", "day", "channel", "campaign")
        `);
    await queryRunner.query(`
            CREATE TABLE "stg_traffic" (
                "tenant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "channel" text NOT NULL,
                "campaign" text NOT NULL,
                "sessions" bigint NOT NULL DEFAULT '0',
                "touches" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_e5db008a8792bfe3bae38abfa29" PRIMARY KEY ("tenant_id", "day", "channel", "campaign")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_source_volume" (
                "tenant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "source_id" text NOT NULL,
                "events" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_972bd211223e890ad39acc04eb7" PRIMARY KEY ("tenant_id", "day", "source_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_daily_channel" (
                "tenant_id" uuid NOT NULL,
                "day" date NOT NULL,
                "channel" text NOT NULL,
                "campaign" text NOT NULL,
                "currency" text NOT NULL,
                "sessions" bigint NOT NULL DEFAULT '0',
                "touches" bigint NOT NULL DEFAULT '0',
                "spend_minor" bigint NOT NULL DEFAULT '0',
                "impressions" bigint NOT NULL DEFAULT '0',
                "clicks" bigint NOT NULL DEFAULT '0',
                "conv_first_touch" double precision NOT NULL DEFAULT '0',
                "conv_last_touch" double precision NOT NULL DEFAULT '0',
                "conv_last_non_direct" double precision NOT NULL DEFAULT '0',
                "conv_linear" double precision NOT NULL DEFAULT '0',
                "conv_time_decay" double precision NOT NULL DEFAULT '0',
                "conv_position_based" double precision NOT NULL DEFAULT '0',
                "rev_first_touch" double precision NOT NULL DEFAULT '0',
                "rev_last_touch" double precision NOT NULL DEFAULT '0',
                "rev_last_non_direct" double precision NOT NULL DEFAULT '0',
                "rev_linear" double precision NOT NULL DEFAULT '0',
                "rev_time_decay" double precision NOT NULL DEFAULT '0',
                "rev_position_based" double precision NOT NULL DEFAULT '0',
                CONSTRAINT "PK_1b59062eec5cbf0417680fd50eb" PRIMARY KEY (
                    "tenant_id",
                    "day",
                    "channel",
                    "campaign",
                    "currency"
                )
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "fct_daily_channel_day_idx" ON "fct_daily_channel" ("tenant_id", "day")
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_orders" (
                "tenant_id" uuid NOT NULL,
                "order_id" text NOT NULL,
                "day" date NOT NULL,
                "status" text NOT NULL,
                "currency" text NOT NULL,
                "customer_key" text,
                "total_minor" bigint NOT NULL,
                "refunded_minor" bigint NOT NULL,
                "net_revenue_minor" bigint NOT NULL,
                "counts_as_conversion" boolean NOT NULL,
                "placed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_694db6995500aec343e16a4b778" PRIMARY KEY ("tenant_id", "order_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "fct_orders_day_idx" ON "fct_orders" ("tenant_id", "day")
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_sku_daily" (
                "tenant_id" uuid NOT NULL,
                "sku" text NOT NULL,
                "day" date NOT NULL,
                "units" double precision NOT NULL DEFAULT '0',
                CONSTRAINT "PK_a46cd1b831a9038ee1c2a975bec" PRIMARY KEY ("tenant_id", "sku", "day")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_forecast" (
                "tenant_id" uuid NOT NULL,
                "sku" text NOT NULL,
                "frequency" text NOT NULL,
                "period" date NOT NULL,
                "run_id" uuid NOT NULL,
                "method" text NOT NULL,
                "demand_class" text NOT NULL,
                "mean" double precision NOT NULL,
                "lower_80" double precision,
                "upper_80" double precision,
                "lower_95" double precision,
                "upper_95" double precision,
                "cv_error" double precision,
                "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_8e067d9a4b3c386a2cdf86da38e" PRIMARY KEY ("tenant_id", "sku", "frequency", "period")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_contributions" (
                "tenant_id" uuid NOT NULL,
                "run_id" uuid NOT NULL,
                "channel" text NOT NULL,
                "source" text NOT NULL,
                "period_from" date NOT NULL,
                "period_to" date NOT NULL,
                "currency" text,
                "conversions" double precision,
                "revenue_minor" double precision,
                "share" double precision,
                "roas" double precision,
                "completed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_adfa65a1f1d8d221d9471006f00" PRIMARY KEY ("tenant_id", "run_id", "channel")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "fct_runs" (
                "tenant_id" uuid NOT NULL,
                "run_id" uuid NOT NULL,
                "kind" text NOT NULL,
                "status" text NOT NULL,
                "completed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_00034003cc2577d90aededbcf41" PRIMARY KEY ("tenant_id", "run_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "dim_channel" (
                "tenant_id" uuid NOT NULL,
                "channel" text NOT NULL,
                "first_seen" date NOT NULL,
                "last_seen" date NOT NULL,
                CONSTRAINT "PK_35319f334990127b793bff73fde" PRIMARY KEY ("tenant_id", "channel")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "dim_campaign" (
                "tenant_id" uuid NOT NULL,
                "channel" text NOT NULL,
                "campaign" text NOT NULL,
                "first_seen" date NOT NULL,
                "last_seen" date NOT NULL,
                CONSTRAINT "PK_aeb82f252891ab8744cf979b3a0" PRIMARY KEY ("tenant_id", "channel", "campaign")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "dim_sku" (
                "tenant_id" uuid NOT NULL,
                "sku" text NOT NULL,
                "name" text,
                "demand_class" text,
                "first_seen" date NOT NULL,
                "last_seen" date NOT NULL,
                CONSTRAINT "PK_bdc22c897f073ccffcf970a007a" PRIMARY KEY ("tenant_id", "sku")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "source_freshness" (
                "tenant_id" uuid NOT NULL,
                "source" text NOT NULL,
                "last_fact_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_applied_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "applied" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_06d1feafd42decbb35a8c7d2b4a" PRIMARY KEY ("tenant_id", "source")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "members" (
                "tenant_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "role" text,
                "active" boolean NOT NULL,
                "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_a554f50aa421c895a5d6df6fc74" PRIMARY KEY ("tenant_id", "user_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "mart_builds" (
                "id" text NOT NULL,
                "status" text NOT NULL,
                "group_id" text NOT NULL,
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_fe4a9063841baf668bd02ff8878" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "signals" (
                "tenant_id" uuid NOT NULL,
                "signal_id" uuid NOT NULL,
                "metric" text NOT NULL,
                "dimension" text NOT NULL,
                "day" date NOT NULL,
                "severity" text NOT NULL,
                "expected" double precision NOT NULL,
                "observed" double precision NOT NULL,
                "score" double precision NOT NULL,
                "narrative" text NOT NULL,
                "status" text NOT NULL DEFAULT 'open',
                "assignee_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_48d38fe824048c404d11cb73275" PRIMARY KEY ("tenant_id", "signal_id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "signals_identity_key" ON "signals" ("tenant_id", "metric", "dimension", "day")
        `);
    await queryRunner.query(`
            CREATE TABLE "signal_activity" (
                "tenant_id" uuid NOT NULL,
                "activity_id" uuid NOT NULL,
                "signal_id" uuid NOT NULL,
                "actor_id" uuid,
                "kind" text NOT NULL,
                "detail" jsonb NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_d4810bde1fb5cba9197c7950f5a" PRIMARY KEY ("tenant_id", "activity_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "signal_activity_signal_idx" ON "signal_activity" ("tenant_id", "signal_id", "at")
        `);
    for (const table of TENANT_TABLES) await enableTenantRls(queryRunner, `reporting.${table}`);
    await queryRunner.query(
      `INSERT INTO "fx_rates" ("currency", "minor_digits", "usd_per_unit") VALUES ${FX_RATES.map(([c, d, r]) => `('${c}', ${d}, ${r})`).join(', ')}`,
    );
    await queryRunner.query(RESET_MARTS_FUNCTION);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "reporting"."reset_marts"()`);
    await queryRunner.query(`
            DROP INDEX "reporting"."signal_activity_signal_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "signal_activity"
        `);
    await queryRunner.query(`
            DROP INDEX "reporting"."signals_identity_key"
        `);
    await queryRunner.query(`
            DROP TABLE "signals"
        `);
    await queryRunner.query(`
            DROP TABLE "mart_builds"
        `);
    await queryRunner.query(`
            DROP TABLE "members"
        `);
    await queryRunner.query(`
            DROP TABLE "source_freshness"
        `);
    await queryRunner.query(`
            DROP TABLE "dim_sku"
        `);
    await queryRunner.query(`
            DROP TABLE "dim_campaign"
        `);
    await queryRunner.query(`
            DROP TABLE "dim_channel"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_runs"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_contributions"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_forecast"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_sku_daily"
        `);
    await queryRunner.query(`
            DROP INDEX "reporting"."fct_orders_day_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_orders"
        `);
    await queryRunner.query(`
            DROP INDEX "reporting"."fct_daily_channel_day_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_daily_channel"
        `);
    await queryRunner.query(`
            DROP TABLE "fct_source_volume"
        `);
    await queryRunner.query(`
            DROP TABLE "stg_traffic"
        `);
    await queryRunner.query(`
            DROP INDEX "reporting"."stg_credit_lines_key_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "stg_credit_lines"
        `);
    await queryRunner.query(`
            DROP TABLE "stg_credits"
        `);
    await queryRunner.query(`
            DROP TABLE "stg_spend"
        `);
    await queryRunner.query(`
            DROP INDEX "reporting"."stg_order_lines_sku_day_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "stg_order_lines"
        `);
    await queryRunner.query(`
            DROP TABLE "stg_orders"
        `);
    await queryRunner.query(`
            DROP TABLE "fx_rates"
        `);
    await queryRunner.query(`
            DROP TABLE "tenant_settings"
        `);
  }
}
