import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// The reporting schema in two layers. Staging (`stg_*`) holds the cleaned facts as the events
// carried them (latest revision per aggregate, original currency). Marts (`fct_*`, `dim_*`) are
// derived from staging only, so any mart row can be recomputed from staging at any time: that is
// what makes redelivery and out-of-order revisions harmless (see docs/adr/0009-reporting-marts.md).

const tenant = () => PrimaryColumn({ name: 'tenant_id', type: 'uuid' });
const text = (name: string) => PrimaryColumn({ name, type: 'text' });
const day = (name = 'day') => PrimaryColumn({ name, type: 'date' });
const big = (name: string) => Column({ name, type: 'bigint', default: 0 });
const real = (name: string) => Column({ name, type: 'double precision', default: 0 });
const at = (name: string, nullable = false) => Column({ name, type: 'timestamptz', nullable });

/** Tenant settings: the currency reports are shown in. */
@Entity({ name: 'tenant_settings' })
export class TenantSettings {
  @tenant() tenantId!: string;
  @Column({ name: 'reporting_currency', type: 'text', default: 'USD' }) reportingCurrency!: string;
}

/** Documented conversion table (reference data, not tenant-scoped): value of one unit in USD. */
@Entity({ name: 'fx_rates' })
export class FxRate {
  @text('currency') currency!: string;
  @Column({ name: 'minor_digits', type: 'integer' }) minorDigits!: number;
  @Column({ name: 'usd_per_unit', type: 'double precision' }) usdPerUnit!: number;
}

/** The latest revision of each order (ingestion's commerce.order.recorded.v1). */
@Entity({ name: 'stg_orders' })
export class StgOrder {
  @tenant() tenantId!: string;
  @text('order_id') orderId!: string;
  @Column({ type: 'integer' }) revision!: number;
  @Column({ type: 'jsonb' }) payload!: object;
  @at('received_at') receivedAt!: Date;
}

/** Units and revenue per order line (of the latest revision), for actual demand per SKU. */
@Entity({ name: 'stg_order_lines' })
@Index('stg_order_lines_sku_day_idx', ['tenantId', 'sku', 'day'])
export class StgOrderLine {
  @tenant() tenantId!: string;
  @text('order_id') orderId!: string;
  @PrimaryColumn({ name: 'line_no', type: 'integer' }) lineNo!: number;
  @Column({ type: 'text' }) sku!: string;
  @Column({ type: 'date' }) day!: string;
  @Column({ type: 'double precision' }) units!: number;
}

/** A day's spend per channel/campaign, latest revision (marketing.spend.recorded.v1). */
@Entity({ name: 'stg_spend' })
export class StgSpend {
  @tenant() tenantId!: string;
  @day() day!: string;
  @text('channel') channel!: string;
  @text('campaign') campaign!: string;
  @Column({ type: 'integer' }) revision!: number;
  @Column({ type: 'text' }) currency!: string;
  @Column({ name: 'amount_minor', type: 'bigint' }) amountMinor!: string;
  @Column({ type: 'bigint', nullable: true }) impressions!: string | null;
  @Column({ type: 'bigint', nullable: true }) clicks!: string | null;
}

/** The latest credits revision of an order (attribution.credit.computed.v1). */
@Entity({ name: 'stg_credits' })
export class StgCredits {
  @tenant() tenantId!: string;
  @text('order_id') orderId!: string;
  @Column({ type: 'integer' }) revision!: number;
  @Column({ type: 'date' }) day!: string;
  @Column({ type: 'text' }) currency!: string;
}

/** One model's credit of one order to one channel/campaign (rows of the latest revision). */
@Entity({ name: 'stg_credit_lines' })
@Index('stg_credit_lines_key_idx', ['tenantId', 'day', 'channel', 'campaign'])
export class StgCreditLine {
  @tenant() tenantId!: string;
  @text('order_id') orderId!: string;
  @text('model') model!: string;
  @text('channel') channel!: string;
  @text('campaign') campaign!: string;
  @Column({ type: 'date' }) day!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'double precision' }) conversions!: number;
  @Column({ name: 'revenue_minor', type: 'double precision' }) revenueMinor!: number;
}

/** Sessions and touches per day x channel x campaign, counted once per accepted event. */
@Entity({ name: 'stg_traffic' })
export class StgTraffic {
  @tenant() tenantId!: string;
  @day() day!: string;
  @text('channel') channel!: string;
  @text('campaign') campaign!: string;
  @big('sessions') sessions!: string;
  @big('touches') touches!: string;
}

/** Accepted events per day and source (ingest key), for volume signals and freshness. */
@Entity({ name: 'fct_source_volume' })
export class FctSourceVolume {
  @tenant() tenantId!: string;
  @day() day!: string;
  @text('source_id') sourceId!: string;
  @big('events') events!: string;
}

/** The measures of the channel marts: traffic, spend, and conversions/revenue per rule-based model. */
abstract class ChannelMeasures {
  @big('sessions') sessions!: string;
  @big('touches') touches!: string;
  @big('spend_minor') spendMinor!: string;
  @big('impressions') impressions!: string;
  @big('clicks') clicks!: string;
  @real('conv_first_touch') convFirstTouch!: number;
  @real('conv_last_touch') convLastTouch!: number;
  @real('conv_last_non_direct') convLastNonDirect!: number;
  @real('conv_linear') convLinear!: number;
  @real('conv_time_decay') convTimeDecay!: number;
  @real('conv_position_based') convPositionBased!: number;
  @real('rev_first_touch') revFirstTouch!: number;
  @real('rev_last_touch') revLastTouch!: number;
  @real('rev_last_non_direct') revLastNonDirect!: number;
  @real('rev_linear') revLinear!: number;
  @real('rev_time_decay') revTimeDecay!: number;
  @real('rev_position_based') revPositionBased!: number;
}

/**
 * The dashboard mart: one row per day x channel x campaign x currency. Traffic has no currency
 * and lives under 'XXX' (ISO 4217: no currency involved). Attributed columns per rule-based model.
 */
@Entity({ name: 'fct_daily_channel' })
@Index('fct_daily_channel_key_idx', ['tenantId', 'channel', 'campaign', 'currency', 'day'])
export class FctDailyChannel extends ChannelMeasures {
  @tenant() tenantId!: string;
  @day() day!: string;
  @text('channel') channel!: string;
  @text('campaign') campaign!: string;
  @text('currency') currency!: string;
}

/**
 * fct_daily_channel summed per calendar month (`month` is its first day), kept in step by the
 * writer, so a long period reads a row per month for its whole months. Fractional columns are
 * summed as numeric, so a month's total does not depend on the order its days were read in.
 */
@Entity({ name: 'fct_monthly_channel' })
export class FctMonthlyChannel extends ChannelMeasures {
  @tenant() tenantId!: string;
  @day('month') month!: string;
  @text('channel') channel!: string;
  @text('campaign') campaign!: string;
  @text('currency') currency!: string;
}

/** One row per order (latest revision), amounts in the order's currency. */
@Entity({ name: 'fct_orders' })
@Index('fct_orders_day_idx', ['tenantId', 'day'])
@Index('fct_orders_customer_idx', ['tenantId', 'customerKey'])
export class FctOrder {
  @tenant() tenantId!: string;
  @text('order_id') orderId!: string;
  @Column({ type: 'date' }) day!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ name: 'customer_key', type: 'text', nullable: true }) customerKey!: string | null;
  @Column({ name: 'total_minor', type: 'bigint' }) totalMinor!: string;
  @Column({ name: 'refunded_minor', type: 'bigint' }) refundedMinor!: string;
  @Column({ name: 'net_revenue_minor', type: 'bigint' }) netRevenueMinor!: string;
  @Column({ name: 'counts_as_conversion', type: 'boolean' }) countsAsConversion!: boolean;
  @at('placed_at') placedAt!: Date;
}

/** Converting orders and their net revenue per day and currency (fct_orders summed, kept in step by the writer). */
@Entity({ name: 'fct_daily_orders' })
export class FctDailyOrders {
  @tenant() tenantId!: string;
  @day() day!: string;
  @text('currency') currency!: string;
  @big('orders') orders!: string;
  @big('net_revenue_minor') netRevenueMinor!: string;
}

/** Each customer with a converting order, and the day of their first one (new customers per period). */
@Entity({ name: 'dim_customer' })
@Index('dim_customer_first_order_idx', ['tenantId', 'firstOrderDay'])
export class DimCustomer {
  @tenant() tenantId!: string;
  @text('customer_key') customerKey!: string;
  @Column({ name: 'first_order_day', type: 'date' }) firstOrderDay!: string;
}

/** Actual units per SKU and day, from the order lines of converting orders. */
@Entity({ name: 'fct_sku_daily' })
export class FctSkuDaily {
  @tenant() tenantId!: string;
  @text('sku') sku!: string;
  @day() day!: string;
  @real('units') units!: number;
}

/** The latest forecast per SKU and period (a later run replaces an earlier one). */
@Entity({ name: 'fct_forecast' })
export class FctForecast {
  @tenant() tenantId!: string;
  @text('sku') sku!: string;
  @text('frequency') frequency!: string;
  @day('period') period!: string;
  @Column({ name: 'run_id', type: 'uuid' }) runId!: string;
  @Column({ type: 'text' }) method!: string;
  @Column({ name: 'demand_class', type: 'text' }) demandClass!: string;
  @Column({ type: 'double precision' }) mean!: number;
  @Column({ name: 'lower_80', type: 'double precision', nullable: true }) lower80!: number | null;
  @Column({ name: 'upper_80', type: 'double precision', nullable: true }) upper80!: number | null;
  @Column({ name: 'lower_95', type: 'double precision', nullable: true }) lower95!: number | null;
  @Column({ name: 'upper_95', type: 'double precision', nullable: true }) upper95!: number | null;
  @Column({ name: 'cv_error', type: 'double precision', nullable: true }) cvError!: number | null;
  @at('computed_at') computedAt!: Date;
}

/** Per-channel contribution from data-driven attribution runs and MMM fits. */
@Entity({ name: 'fct_contributions' })
export class FctContribution {
  @tenant() tenantId!: string;
  @PrimaryColumn({ name: 'run_id', type: 'uuid' }) runId!: string;
  @text('channel') channel!: string;
  @Column({ type: 'text' }) source!: string;
  @Column({ name: 'period_from', type: 'date' }) periodFrom!: string;
  @Column({ name: 'period_to', type: 'date' }) periodTo!: string;
  @Column({ type: 'text', nullable: true }) currency!: string | null;
  @Column({ type: 'double precision', nullable: true }) conversions!: number | null;
  @Column({ name: 'revenue_minor', type: 'double precision', nullable: true }) revenueMinor!: number | null;
  @Column({ type: 'double precision', nullable: true }) share!: number | null;
  @Column({ type: 'double precision', nullable: true }) roas!: number | null;
  @at('completed_at') completedAt!: Date;
}

/** Runs that ended (attribution, MMM, forecasting), for freshness and live updates. */
@Entity({ name: 'fct_runs' })
export class FctRun {
  @tenant() tenantId!: string;
  @PrimaryColumn({ name: 'run_id', type: 'uuid' }) runId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) status!: string;
  @at('completed_at') completedAt!: Date;
}

@Entity({ name: 'dim_channel' })
export class DimChannel {
  @tenant() tenantId!: string;
  @text('channel') channel!: string;
  @Column({ name: 'first_seen', type: 'date' }) firstSeen!: string;
  @Column({ name: 'last_seen', type: 'date' }) lastSeen!: string;
}

@Entity({ name: 'dim_campaign' })
export class DimCampaign {
  @tenant() tenantId!: string;
  @text('channel') channel!: string;
  @text('campaign') campaign!: string;
  @Column({ name: 'first_seen', type: 'date' }) firstSeen!: string;
  @Column({ name: 'last_seen', type: 'date' }) lastSeen!: string;
}

@Entity({ name: 'dim_sku' })
export class DimSku {
  @tenant() tenantId!: string;
  @text('sku') sku!: string;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ name: 'demand_class', type: 'text', nullable: true }) demandClass!: string | null;
  @Column({ name: 'first_seen', type: 'date' }) firstSeen!: string;
  @Column({ name: 'last_seen', type: 'date' }) lastSeen!: string;
}

/** When each source last delivered: event time of the newest fact and when it was applied. */
@Entity({ name: 'source_freshness' })
export class SourceFreshness {
  @tenant() tenantId!: string;
  @text('source') source!: string;
  @at('last_fact_at') lastFactAt!: Date;
  @at('last_applied_at') lastAppliedAt!: Date;
  @big('applied') applied!: string;
}

/** Tenant members as auth announces them (auth.member.changed.v1): who can be assigned. */
@Entity({ name: 'members' })
export class Member {
  @tenant() tenantId!: string;
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'text', nullable: true }) role!: string | null;
  @Column({ type: 'boolean' }) active!: boolean;
  @at('changed_at') changedAt!: Date;
}

/**
 * A number that changes whenever a table the cached dashboard reads depend on changes for the
 * tenant (statement triggers; migration MartVersions). Not tenant data: no row security, as the
 * cross-tenant slot tables.
 */
@Entity({ name: 'mart_versions' })
export class MartVersion {
  @tenant() tenantId!: string;
  @Column({ type: 'bigint' }) version!: string;
}

/** Rebuild bookkeeping (not tenant-scoped): the mart version built and how the last replay went. */
@Entity({ name: 'mart_builds' })
export class MartBuild {
  @PrimaryColumn({ name: 'id', type: 'text' }) id!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'group_id', type: 'text' }) groupId!: string;
  @at('started_at') startedAt!: Date;
  @at('finished_at', true) finishedAt!: Date | null;
}

export const MART_ENTITIES = [
  TenantSettings,
  FxRate,
  StgOrder,
  StgOrderLine,
  StgSpend,
  StgCredits,
  StgCreditLine,
  StgTraffic,
  FctSourceVolume,
  FctDailyChannel,
  FctMonthlyChannel,
  FctOrder,
  FctDailyOrders,
  FctSkuDaily,
  FctForecast,
  FctContribution,
  FctRun,
  DimChannel,
  DimCampaign,
  DimSku,
  DimCustomer,
  SourceFreshness,
  Member,
  MartBuild,
  MartVersion,
];
