import { Inject, Injectable } from '@nestjs/common';
import type { forecastingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { FORECASTING_CONFIG, type ForecastingConfig } from '../config';
import { DemandHistory } from '../demand/demand-history';

type Schemas = forecastingApi.components['schemas'];
/** Defaults come from the contract; the service applies them (a request may omit them). */
export type RunRequest = Partial<Schemas['ForecastingRunRequest']> &
  Pick<Schemas['ForecastingRunRequest'], 'horizon'>;
export type RunView = Schemas['ForecastingRun'];

export interface RunRow {
  run_id: string;
  tenant_id: string;
  kind: 'forecast' | 'backtest';
  status: RunView['status'];
  trigger: 'api' | 'schedule';
  frequency: 'day' | 'week';
  horizon: number;
  season: number;
  levels: number[];
  options: { adiCutoff: number; cv2Cutoff: number; origins: number };
  history_end: string | null;
  skus_total: number;
  skus_succeeded: number;
  skus_failed: number;
  created_at: Date;
  completed_at: Date | null;
}

export const RUN_COLUMNS = `run_id, tenant_id, kind, status, trigger, frequency, horizon, season, levels, options,
  history_end::text as history_end, skus_total, skus_succeeded, skus_failed, created_at, completed_at`;

export function runView(row: RunRow): RunView {
  return {
    runId: row.run_id,
    kind: row.kind,
    status: row.status,
    frequency: row.frequency,
    horizon: row.horizon,
    season: row.season,
    levels: row.levels,
    trigger: row.trigger,
    historyEnd: row.history_end,
    progress: {
      total: row.skus_total,
      done: row.skus_succeeded + row.skus_failed,
      succeeded: row.skus_succeeded,
      failed: row.skus_failed,
    },
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

/** The final status of a run whose SKUs are all done. */
export function finalStatus(total: number, failed: number): 'succeeded' | 'partially_failed' | 'failed' {
  if (failed === 0) return 'succeeded';
  return failed === total ? 'failed' : 'partially_failed';
}

/** Adds forecasting.run.completed.v1 for a run that just ended. */
export async function announceRunEnd(manager: EntityManager, row: RunRow, status: RunRow['status']) {
  await addToOutbox(manager, 'forecasting.run.completed.v1', {
    tenantId: row.tenant_id,
    key: row.tenant_id,
    payload: {
      tenantId: row.tenant_id,
      runId: row.run_id,
      status: status as 'succeeded' | 'partially_failed' | 'failed' | 'cancelled',
      frequency: row.frequency,
      horizon: row.horizon,
      skus: row.skus_total,
      succeeded: row.skus_succeeded,
      failed: row.skus_failed,
      completedAt: new Date().toISOString(),
    },
  });
}

@Injectable()
export class RunsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly history: DemandHistory,
    @Inject(FORECASTING_CONFIG) private readonly config: ForecastingConfig,
  ) {}

  create(tenantId: string, request: RunRequest, trigger: 'api' | 'schedule' = 'api'): Promise<RunView> {
    return this.transactions.forTenant(tenantId, (manager) =>
      this.createIn(manager, tenantId, request, trigger),
    );
  }

  /** Creates the run and queues its jobs (through the outbox, so both happen or neither). */
  async createIn(
    manager: EntityManager,
    tenantId: string,
    request: RunRequest,
    trigger: 'api' | 'schedule',
  ): Promise<RunView> {
    const frequency = request.frequency ?? 'day';
    const season = request.season ?? (frequency === 'day' ? 7 : 52);
    const kind = request.kind ?? 'forecast';
    const errors = [];
    if (frequency === 'week' && request.horizon > 104)
      errors.push({
        field: '/body/horizon',
        message: `a weekly horizon is at most 104 weeks, got ${request.horizon}`,
      });
    if (frequency === 'week' && season > 52)
      errors.push({ field: '/body/season', message: `a weekly season is at most 52 weeks, got ${season}` });
    if (request.origins !== undefined && kind !== 'backtest')
      errors.push({ field: '/body/origins', message: 'origins apply to backtest runs only' });
    if (errors.length) throw ApiProblem.badRequest('The run settings are out of range.', errors);

    if (request.skus) {
      const unknown = await this.history.unknownSkus(manager, request.skus);
      if (unknown.length > 0)
        throw new ApiProblem(
          422,
          'unknown_skus',
          `No demand history for ${unknown.length} SKU(s): ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', ...' : ''}.`,
          unknown.slice(0, 100).map((sku) => ({ field: '/body/skus', message: `unknown SKU '${sku}'` })),
        );
    }
    const skus = request.skus ? [...request.skus].sort() : await this.history.allSkus(manager);
    const historyEnd = await this.history.lastDay(manager);
    const runId = randomUUID();
    const levels = [...(request.levels ?? [80, 95])].sort((a, b) => a - b);
    const options = {
      adiCutoff: request.adiCutoff ?? 1.32,
      cv2Cutoff: request.cv2Cutoff ?? 0.49,
      origins: request.origins ?? 3,
    };
    const done = skus.length === 0;
    const [row]: RunRow[] = await manager.query(
      `insert into forecast_runs (run_id, tenant_id, kind, status, trigger, frequency, horizon, season, levels,
         options, history_end, skus_total, completed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, case when $13 then now() end)
       returning ${RUN_COLUMNS}`,
      [
        runId,
        tenantId,
        kind,
        done ? 'succeeded' : 'running',
        trigger,
        frequency,
        request.horizon,
        season,
        levels,
        options,
        historyEnd,
        skus.length,
        done,
      ],
    );
    if (done) await announceRunEnd(manager, row, 'succeeded');
    const size = this.config.FORECAST_JOB_SIZE;
    const jobs = Math.ceil(skus.length / size);
    for (let job = 0; job < jobs; job++)
      await addToOutbox(manager, 'forecasting.job.requested.v1', {
        tenantId,
        key: `${runId}:${job}`,
        payload: {
          tenantId,
          runId,
          job,
          jobs,
          skus: skus.slice(job * size, (job + 1) * size) as [string, ...string[]],
        },
      });
    return runView(row);
  }

  async get(tenantId: string, runId: string): Promise<RunRow> {
    const [row]: RunRow[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select ${RUN_COLUMNS} from forecast_runs where run_id = $1`, [runId]),
    );
    if (!row) throw ApiProblem.notFound(`Run ${runId} does not exist.`);
    return row;
  }

  async list(tenantId: string, limit: number, offset: number): Promise<RunView[]> {
    const rows: RunRow[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(
        `select ${RUN_COLUMNS} from forecast_runs order by created_at desc, run_id limit $1 offset $2`,
        [limit, offset],
      ),
    );
    return rows.map(runView);
  }

  async cancel(tenantId: string, runId: string): Promise<RunView> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const [row]: RunRow[] = await manager.query(
        `select ${RUN_COLUMNS} from forecast_runs where run_id = $1 for update`,
        [runId],
      );
      if (!row) throw ApiProblem.notFound(`Run ${runId} does not exist.`);
      if (row.status !== 'running')
        throw ApiProblem.conflict(`Run ${runId} has already ended (${row.status}).`);
      const [[cancelled]]: [RunRow[], number] = await manager.query(
        `update forecast_runs set status = 'cancelled', completed_at = now() where run_id = $1
         returning ${RUN_COLUMNS}`,
        [runId],
      );
      await announceRunEnd(manager, cancelled, 'cancelled');
      return runView(cancelled);
    });
  }
}
