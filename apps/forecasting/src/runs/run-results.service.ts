import { Injectable } from '@nestjs/common';
import type { forecastingApi } from '@sextant/contracts';
import { accuracy, type AccuracyMetrics } from '@sextant/domain/forecasting';
import { Transactions } from '@sextant/platform/database';
import { DemandHistory } from '../demand/demand-history';
import { addDays, demandSeries } from '../demand/demand-series';
import { RunsService } from './runs.service';

type Schemas = forecastingApi.components['schemas'];
type Metrics = Schemas['Metrics'];

interface ResultRow {
  sku: string;
  status: 'succeeded' | 'failed';
  class: Schemas['DemandClass'] | null;
  adi: number | null;
  cv2: number | null;
  method: string | null;
  model: string | null;
  cv_error: number | null;
  points: Schemas['Point'][];
  metrics: Metrics | null;
  fallback: string | null;
  error: string | null;
  computed_at: Date;
}

export interface ResultFilter {
  class?: string;
  method?: string;
  sku?: string;
  status?: string;
  limit: number;
  offset: number;
}

const METRIC_NAMES: (keyof AccuracyMetrics)[] = ['mae', 'rmse', 'wape', 'smape', 'mase', 'rmsse', 'bias'];

/** Means over SKUs of each metric, leaving out SKUs where it is undefined. */
export function meanMetrics(items: Metrics[]): Metrics {
  return Object.fromEntries(
    METRIC_NAMES.map((name) => {
      const values = items.map((m) => m[name]).filter((v): v is number => v !== null && Number.isFinite(v));
      return [name, values.length ? values.reduce((a, b) => a + b, 0) / values.length : null];
    }),
  ) as Metrics;
}

function groupBy(items: { key: string; metrics: Metrics }[]): Schemas['AccuracyGroup'][] {
  const groups = new Map<string, Metrics[]>();
  for (const item of items) groups.set(item.key, [...(groups.get(item.key) ?? []), item.metrics]);
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, metrics]) => ({ key, skus: metrics.length, metrics: meanMetrics(metrics) }));
}

@Injectable()
export class RunResultsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly runs: RunsService,
    private readonly history: DemandHistory,
  ) {}

  async results(tenantId: string, runId: string, filter: ResultFilter) {
    await this.runs.get(tenantId, runId);
    const where = [`run_id = $1`];
    const params: unknown[] = [runId];
    for (const column of ['class', 'method', 'sku', 'status'] as const) {
      if (filter[column] === undefined) continue;
      params.push(filter[column]);
      where.push(`${column} = $${params.length}`);
    }
    return this.transactions.forTenant(tenantId, async (m) => {
      const [{ total }] = await m.query(
        `select count(*)::int as total from forecast_results where ${where.join(' and ')}`,
        params,
      );
      const rows: ResultRow[] = await m.query(
        `select * from forecast_results where ${where.join(' and ')} order by sku
         limit $${params.length + 1} offset $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      );
      return {
        total: total as number,
        items: rows.map((r) => ({
          sku: r.sku,
          status: r.status,
          class: r.class,
          method: r.method,
          model: r.model,
          cvError: r.cv_error,
          points: r.points,
          metrics: r.metrics,
          fallback: r.fallback,
          error: r.error,
          computedAt: r.computed_at.toISOString(),
        })),
      };
    });
  }

  async classifications(tenantId: string, runId: string, filter: ResultFilter) {
    await this.runs.get(tenantId, runId);
    return this.transactions.forTenant(tenantId, async (m) => {
      const counts: { class: string; n: number }[] = await m.query(
        `select class, count(*)::int as n from forecast_results where run_id = $1 and class is not null group by class`,
        [runId],
      );
      const items = await m.query(
        `select sku, class, adi, cv2 from forecast_results
          where run_id = $1 and class is not null and ($2::text is null or class = $2)
          order by sku limit $3 offset $4`,
        [runId, filter.class ?? null, filter.limit, filter.offset],
      );
      return { counts: Object.fromEntries(counts.map((c) => [c.class, c.n])), items };
    });
  }

  async accuracy(tenantId: string, runId: string): Promise<Schemas['AccuracyReport']> {
    const run = await this.runs.get(tenantId, runId);
    const scored: { class: string; method: string; metrics: Metrics }[] = [];
    await this.transactions.forTenant(tenantId, async (m) => {
      const rows: ResultRow[] = await m.query(
        `select * from forecast_results where run_id = $1 and status = 'succeeded' order by sku`,
        [runId],
      );
      if (run.kind === 'backtest') {
        for (const r of rows) scored.push({ class: r.class!, method: r.method!, metrics: r.metrics! });
        return;
      }
      // Forecast against the actuals that have arrived since the run (complete periods only).
      const lastDay = await this.history.lastDay(m);
      if (!lastDay || !run.history_end || rows.length === 0) return;
      const bySku = await this.history.rowsBySku(
        m,
        rows.map((r) => r.sku),
        lastDay,
      );
      for (const r of rows) {
        const daily = bySku.get(r.sku) ?? [];
        const training = demandSeries(daily, run.history_end, run.frequency).values;
        const step = run.frequency === 'day' ? 1 : 7;
        const quantityOn = new Map(daily.map((d) => [d.day, d.quantity]));
        const actualByPeriod = new Map<string, number>();
        for (const p of r.points) {
          if (addDays(p.period, step - 1) > lastDay) continue;
          let total = 0;
          for (let k = 0; k < step; k++) total += quantityOn.get(addDays(p.period, k)) ?? 0;
          actualByPeriod.set(p.period, total);
        }
        const pairs = r.points.filter((p) => actualByPeriod.has(p.period));
        if (pairs.length === 0 || training.length === 0) continue;
        const metrics = accuracy(
          pairs.map((p) => actualByPeriod.get(p.period)!),
          pairs.map((p) => p.mean),
          training,
          run.season,
        );
        scored.push({
          class: r.class!,
          method: r.method!,
          metrics: Object.fromEntries(
            METRIC_NAMES.map((n) => [n, Number.isFinite(metrics[n]) ? metrics[n] : null]),
          ) as Metrics,
        });
      }
    });
    return {
      runId,
      kind: run.kind === 'backtest' ? 'backtest' : 'forecast-vs-actual',
      skus: scored.length,
      overall: meanMetrics(scored.map((s) => s.metrics)),
      byClass: groupBy(scored.map((s) => ({ key: s.class, metrics: s.metrics }))),
      byMethod: groupBy(scored.map((s) => ({ key: s.method, metrics: s.metrics }))),
    };
  }
}
