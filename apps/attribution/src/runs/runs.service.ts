import { Inject, Injectable } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ATTRIBUTION_LIMITS, type AttributionLimits } from '../limits';
import { parsePeriod } from '../period';
import { updateReturning } from '../sql';
import type { DataDrivenModel, RunOptions, RunOutcome } from './run-computation';

type Run = attributionApi.components['schemas']['Run'];
type RunRequest = attributionApi.components['schemas']['RunRequest'];
type RunResult = attributionApi.components['schemas']['RunResult'];
type MarkovDetails = attributionApi.components['schemas']['MarkovDetails'];

export interface RunRow {
  run_id: string;
  model: DataDrivenModel;
  period_from: string;
  period_to: string;
  options: RunOptions;
  status: Run['status'];
  progress: number;
  error: string | null;
  result: RunOutcome | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export const RUN_COLUMNS = `run_id, model, to_char(period_from, 'YYYY-MM-DD') as period_from,
  to_char(period_to, 'YYYY-MM-DD') as period_to, options, status, progress, error, result,
  created_at, started_at, completed_at`;

/** Data-driven runs: stored with their status, worked on by the job consumer (RunWorker). */
@Injectable()
export class RunsService {
  constructor(
    private readonly transactions: Transactions,
    @Inject(ATTRIBUTION_LIMITS) private readonly limits: AttributionLimits,
  ) {}

  create(tenantId: string, request: RunRequest): Promise<Run> {
    parsePeriod(request.from, request.to, this.limits.maxPeriodDays, 'body');
    const options: RunOptions = {
      order: request.order ?? 1,
      includeNullPaths: request.includeNullPaths ?? true,
      collapseRepeats: request.collapseRepeats ?? true,
      worth: request.worth ?? 'conversions',
    };
    const runId = randomUUID();
    return this.transactions.forTenant(tenantId, async (manager) => {
      const [row]: RunRow[] = await manager.query(
        `insert into attribution.runs (tenant_id, run_id, model, period_from, period_to, options, status)
         values ($1, $2, $3, $4, $5, $6, 'queued') returning ${RUN_COLUMNS}`,
        [tenantId, runId, request.model, request.from, request.to, JSON.stringify(options)],
      );
      await addToOutbox(manager, 'attribution.job.requested.v1', {
        tenantId,
        key: `${tenantId}:${runId}`,
        payload: { tenantId, jobId: runId, requestedAt: row.created_at.toISOString() },
      });
      return toRun(row);
    });
  }

  async list(tenantId: string, limit: number): Promise<Run[]> {
    const rows: RunRow[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select ${RUN_COLUMNS} from attribution.runs order by created_at desc limit $1`, [limit]),
    );
    return rows.map(toRun);
  }

  async get(tenantId: string, runId: string): Promise<Run> {
    return toRun(await this.transactions.forTenant(tenantId, (m) => findRun(m, runId)));
  }

  /** A queued or running run becomes cancelled (and says so on run.completed); a finished one is a conflict. */
  cancel(tenantId: string, runId: string): Promise<Run> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const [row] = await updateReturning<RunRow>(
        manager,
        `update attribution.runs set status = 'cancelled', completed_at = now()
          where run_id = $1 and status in ('queued', 'running') returning ${RUN_COLUMNS}`,
        [runId],
      );
      if (!row) {
        const existing = await findRun(manager, runId);
        throw ApiProblem.conflict(`Run ${runId} has already finished (${existing.status}).`);
      }
      await publishCompletion(manager, tenantId, row);
      return toRun(row);
    });
  }

  async result(tenantId: string, runId: string): Promise<RunResult> {
    const row = await this.transactions.forTenant(tenantId, (m) => findRun(m, runId));
    const outcome = succeeded(row);
    return {
      runId: row.run_id,
      model: row.model,
      from: row.period_from,
      to: row.period_to,
      conversions: outcome.conversions,
      revenueMinor: outcome.revenueMinor,
      currency: outcome.currency,
      paths: outcome.paths,
      credits: outcome.credits,
    };
  }

  async markov(tenantId: string, runId: string): Promise<MarkovDetails> {
    const row = await this.transactions.forTenant(tenantId, (m) => findRun(m, runId));
    if (row.model !== 'markov')
      throw ApiProblem.notFound(`Run ${runId} is a ${row.model} run, not a Markov run.`);
    // A period without converting journeys has no chain: probability 0, nothing to remove.
    const markov = succeeded(row).markov ?? {
      order: row.options.order,
      conversionProbability: 0,
      removalEffects: [],
      transitions: [],
    };
    return { runId: row.run_id, ...markov };
  }
}

export async function findRun(manager: EntityManager, runId: string): Promise<RunRow> {
  const [row]: RunRow[] = await manager.query(
    `select ${RUN_COLUMNS} from attribution.runs where run_id = $1`,
    [runId],
  );
  if (!row) throw ApiProblem.notFound(`Run ${runId} does not exist.`);
  return row;
}

function succeeded(row: RunRow): RunOutcome {
  if (row.status !== 'succeeded' || !row.result)
    throw ApiProblem.conflict(`Run ${row.run_id} has not succeeded (it is ${row.status}).`);
  return row.result;
}

/** `attribution.run.completed.v1` for a run that ended (succeeded, failed or cancelled). */
export async function publishCompletion(
  manager: EntityManager,
  tenantId: string,
  row: RunRow,
): Promise<void> {
  await addToOutbox(manager, 'attribution.run.completed.v1', {
    tenantId,
    key: tenantId,
    payload: {
      tenantId,
      runId: row.run_id,
      model: row.model,
      from: row.period_from,
      to: row.period_to,
      status: row.status as 'succeeded' | 'failed' | 'cancelled',
      conversions: row.result?.conversions ?? 0,
      revenueMinor: row.result?.revenueMinor ?? 0,
      currency: row.result?.currency ?? null,
      credits: row.result?.credits ?? [],
      error: row.error === null ? null : row.error.slice(0, 2000),
      completedAt: (row.completed_at ?? new Date()).toISOString(),
    },
  });
}

export function toRun(row: RunRow): Run {
  return {
    runId: row.run_id,
    model: row.model,
    from: row.period_from,
    to: row.period_to,
    options: row.options,
    status: row.status,
    progress: Number(row.progress),
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}
