type Layer = 'staging' | 'mart' | 'dimension';
interface MartDescription {
  name: string;
  layer: Layer;
  grain: string;
  description: string;
  columns: { name: string; type: string; description: string }[];
}

const col = (name: string, type: string, description: string) => ({ name, type, description });
const keyCols = [
  col('day', 'date', 'UTC day of the fact'),
  col('channel', 'text', 'Channel as classified by the tenant channel grouping'),
  col('campaign', 'text', "Campaign ('' when none)"),
];
const MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'];

const channelMeasures = [
  col('sessions', 'bigint', 'Page/screen events carrying a marketing touch (session starts)'),
  col('touches', 'bigint', 'Events carrying a marketing touch'),
  col('spend_minor', 'bigint', 'Spend in minor units of currency (latest revision)'),
  col('impressions', 'bigint', 'Impressions reported with the spend'),
  col('clicks', 'bigint', 'Clicks reported with the spend'),
  ...MODELS.flatMap((m) => [
    col(`conv_${m}`, 'double precision', `Conversions credited by ${m}`),
    col(`rev_${m}`, 'double precision', `Net revenue (minor units) credited by ${m}`),
  ]),
];

/** What GET /api/v1/reporting/marts tells partners about each table they read through the API. */
export const MART_CATALOGUE: MartDescription[] = [
  {
    name: 'fct_daily_channel',
    layer: 'mart',
    grain: 'tenant x day x channel x campaign x currency',
    description:
      "Traffic, spend and credited conversions/revenue per rule-based model. Traffic rows use currency 'XXX' (none).",
    columns: [
      ...keyCols,
      col('currency', 'text', "ISO 4217 currency of the money columns ('XXX' for traffic)"),
      ...channelMeasures,
    ],
  },
  {
    name: 'fct_monthly_channel',
    layer: 'mart',
    grain: 'tenant x month x channel x campaign x currency',
    description: 'fct_daily_channel summed per calendar month (fractional columns summed exactly).',
    columns: [
      col('month', 'date', 'First day of the UTC month'),
      keyCols[1],
      keyCols[2],
      col('currency', 'text', "ISO 4217 currency of the money columns ('XXX' for traffic)"),
      ...channelMeasures,
    ],
  },
  {
    name: 'fct_orders',
    layer: 'mart',
    grain: 'tenant x order (latest revision)',
    description:
      'Orders with original-currency amounts; pending, cancelled and failed orders are not conversions.',
    columns: [
      col('order_id', 'text', 'Provider-qualified order id'),
      col('day', 'date', 'UTC day the order was placed'),
      col('status', 'text', 'Order status at the latest revision'),
      col('currency', 'text', 'ISO 4217 currency of the amounts'),
      col('customer_key', 'text', 'Customer id, else email hash, else profile id'),
      col('total_minor', 'bigint', 'Order total (minor units)'),
      col('refunded_minor', 'bigint', 'Refunded so far (minor units)'),
      col('net_revenue_minor', 'bigint', 'total - refunded (minor units)'),
      col('counts_as_conversion', 'boolean', 'Not pending, cancelled or failed'),
    ],
  },
  {
    name: 'fct_daily_orders',
    layer: 'mart',
    grain: 'tenant x day x currency',
    description: 'Converting orders and their net revenue per day (fct_orders summed).',
    columns: [
      col('day', 'date', 'UTC day the orders were placed'),
      col('currency', 'text', 'ISO 4217 currency of the amounts'),
      col('orders', 'bigint', 'Orders that count as conversions'),
      col('net_revenue_minor', 'bigint', 'Their total - refunded (minor units)'),
    ],
  },
  {
    name: 'fct_sku_daily',
    layer: 'mart',
    grain: 'tenant x sku x day',
    description: 'Units sold per SKU (converted orders, net of refunded units).',
    columns: [
      col('sku', 'text', 'SKU'),
      col('day', 'date', 'UTC day'),
      col('units', 'double precision', 'Units'),
    ],
  },
  {
    name: 'fct_forecast',
    layer: 'mart',
    grain: 'tenant x sku x frequency x period',
    description: 'Latest forecast per SKU and period (a later computation replaces an earlier one).',
    columns: [
      col('sku', 'text', 'SKU'),
      col('period', 'date', 'First day of the forecast period'),
      col('mean', 'double precision', 'Point forecast (units)'),
      col('lower_80', 'double precision', '80% interval, lower'),
      col('upper_80', 'double precision', '80% interval, upper'),
      col('method', 'text', 'Forecasting method chosen'),
      col('cv_error', 'double precision', 'Cross-validation MASE'),
    ],
  },
  {
    name: 'fct_contributions',
    layer: 'mart',
    grain: 'tenant x run x channel',
    description: 'Per-channel contribution of data-driven attribution runs and converged MMM fits.',
    columns: [
      col('run_id', 'uuid', 'Attribution run or MMM fit id'),
      col('source', 'text', 'markov, shapley, shapley_exact or mmm'),
      col('channel', 'text', 'Channel'),
      col('conversions', 'double precision', 'Credited conversions (attribution runs)'),
      col(
        'revenue_minor',
        'double precision',
        'Credited revenue; for MMM the contribution mean as the fit reports it',
      ),
      col('share', 'double precision', 'Share of the total'),
      col('roas', 'double precision', 'MMM ROAS mean'),
    ],
  },
  {
    name: 'fct_source_volume',
    layer: 'mart',
    grain: 'tenant x day x source',
    description: 'Accepted events per ingest source and day.',
    columns: [
      col('day', 'date', 'UTC day'),
      col('source_id', 'text', 'Ingest key'),
      col('events', 'bigint', 'Events'),
    ],
  },
  {
    name: 'dim_channel',
    layer: 'dimension',
    grain: 'tenant x channel',
    description: 'Channels seen in traffic, spend or credits.',
    columns: [
      col('channel', 'text', 'Channel'),
      col('first_seen', 'date', 'First day'),
      col('last_seen', 'date', 'Last day'),
    ],
  },
  {
    name: 'dim_campaign',
    layer: 'dimension',
    grain: 'tenant x channel x campaign',
    description: 'Campaigns seen in traffic, spend or credits.',
    columns: [
      keyCols[1],
      keyCols[2],
      col('first_seen', 'date', 'First day'),
      col('last_seen', 'date', 'Last day'),
    ],
  },
  {
    name: 'dim_customer',
    layer: 'dimension',
    grain: 'tenant x customer',
    description: 'Customers with a converting order and the day of their first (new customers per period).',
    columns: [
      col('customer_key', 'text', 'Customer id, else email hash, else profile id'),
      col('first_order_day', 'date', 'UTC day of the first converting order'),
    ],
  },
  {
    name: 'dim_sku',
    layer: 'dimension',
    grain: 'tenant x sku',
    description: 'SKUs from order lines and forecasts, with name and demand class.',
    columns: [
      col('sku', 'text', 'SKU'),
      col('name', 'text', 'Line item name'),
      col('demand_class', 'text', 'Demand class'),
    ],
  },
  {
    name: 'stg_orders',
    layer: 'staging',
    grain: 'tenant x order',
    description: 'The latest revision of each order as received.',
    columns: [
      col('order_id', 'text', 'Order id'),
      col('revision', 'integer', 'Highest revision applied'),
      col('payload', 'jsonb', 'The event'),
    ],
  },
  {
    name: 'stg_spend',
    layer: 'staging',
    grain: 'tenant x day x channel x campaign',
    description: 'The latest revision of each day of spend.',
    columns: [
      ...keyCols,
      col('revision', 'integer', 'Highest revision'),
      col('amount_minor', 'bigint', 'Spend (minor units)'),
    ],
  },
  {
    name: 'stg_credit_lines',
    layer: 'staging',
    grain: 'tenant x order x model x channel x campaign',
    description: 'Credits of the latest revision per order.',
    columns: [
      ...keyCols,
      col('model', 'text', 'Rule-based model'),
      col('conversions', 'double precision', 'Credit'),
    ],
  },
  {
    name: 'stg_traffic',
    layer: 'staging',
    grain: 'tenant x day x channel x campaign',
    description: 'Sessions and touches counted once per accepted event.',
    columns: [...keyCols, col('sessions', 'bigint', 'Sessions'), col('touches', 'bigint', 'Touches')],
  },
];
