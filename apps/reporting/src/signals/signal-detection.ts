import { type ChangeOptions, detectChange, narrate, type Change } from '@sextant/domain/reporting';
import type { EntityManager } from 'typeorm';

/** Days of history each day is judged against. */
export const WINDOW_DAYS = 28;

export interface Finding {
  metric: 'channel_roas' | 'source_event_volume' | 'sku_forecast_error';
  dimension: string;
  change: Change;
  narrative: string;
}

interface MetricDefinition {
  metric: Finding['metric'];
  label: string;
  subject: string;
  options: ChangeOptions;
  /** (subject, day, value) rows for the window and the judged day. */
  sql: string;
  /** Days without a row count as 0 (volumes) rather than as missing (ratios). */
  zeroFill: boolean;
}

const METRICS: MetricDefinition[] = [
  {
    metric: 'channel_roas',
    label: 'ROAS (last touch)',
    subject: 'channel',
    options: { minRelativeEffect: 0.2 },
    zeroFill: false,
    sql: `select f.channel as subject, to_char(f.day, 'YYYY-MM-DD') as day,
            sum(f.rev_last_touch / power(10, fx.minor_digits) * fx.usd_per_unit)
              / nullif(sum(f.spend_minor / power(10, fx.minor_digits) * fx.usd_per_unit), 0) as value
          from fct_daily_channel f join fx_rates fx on fx.currency = f.currency
          where f.tenant_id = $1 and f.day between $2 and $3 group by f.channel, f.day`,
  },
  {
    metric: 'source_event_volume',
    label: 'Event volume',
    subject: 'source',
    options: { minRelativeEffect: 0.2, minAbsoluteEffect: 10 },
    zeroFill: true,
    sql: `select source_id as subject, to_char(day, 'YYYY-MM-DD') as day, events::float8 as value
          from fct_source_volume where tenant_id = $1 and day between $2 and $3`,
  },
  {
    metric: 'sku_forecast_error',
    label: 'Forecast error (units)',
    subject: 'sku',
    options: { minRelativeEffect: 0.2, minAbsoluteEffect: 1 },
    zeroFill: false,
    sql: `select f.sku as subject, to_char(f.period, 'YYYY-MM-DD') as day, abs(coalesce(a.units, 0) - f.mean) as value
          from fct_forecast f left join fct_sku_daily a on a.tenant_id = f.tenant_id and a.sku = f.sku and a.day = f.period
          where f.tenant_id = $1 and f.frequency = 'day' and f.period between $2 and $3`,
  },
];

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Judges `day` of every metric and subject against the WINDOW_DAYS before it. */
export async function findChanges(m: EntityManager, tenantId: string, day: string): Promise<Finding[]> {
  const start = addDays(day, -WINDOW_DAYS);
  const window = Array.from({ length: WINDOW_DAYS }, (_, i) => addDays(start, i));
  const findings: Finding[] = [];
  for (const definition of METRICS) {
    const rows: { subject: string; day: string; value: number | null }[] = await m.query(definition.sql, [
      tenantId,
      start,
      day,
    ]);
    const bySubject = new Map<string, Map<string, number>>();
    for (const row of rows) {
      if (row.value === null) continue;
      if (!bySubject.has(row.subject)) bySubject.set(row.subject, new Map());
      bySubject.get(row.subject)!.set(row.day, Number(row.value));
    }
    for (const [subject, values] of bySubject) {
      const observed = values.get(day) ?? (definition.zeroFill ? 0 : undefined);
      if (observed === undefined) continue;
      const history = window
        .map((d) => values.get(d) ?? (definition.zeroFill ? 0 : undefined))
        .filter((v): v is number => v !== undefined);
      const change = detectChange(history, observed, definition.options);
      if (!change) continue;
      findings.push({
        metric: definition.metric,
        dimension: `${definition.subject}:${subject}`,
        change,
        narrative: narrate(definition.label, `${definition.subject} ${subject}`, day, change, history.length),
      });
    }
  }
  return findings;
}
