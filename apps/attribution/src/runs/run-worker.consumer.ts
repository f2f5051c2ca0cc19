import { Injectable } from '@nestjs/common';
import { Transactions } from '@sextant/platform/database';
import type { EventHandlers } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';
import { parsePeriod } from '../period';
import { updateReturning } from '../sql';
import { loadTenantSettings } from '../settings/tenant-settings';
import { computeRun } from './run-computation';
import { periodPaths } from './run-paths';
import { publishCompletion, RUN_COLUMNS, type RunRow } from './runs.service';

/**
 * Works the jobs of `attribution.job.requested.v1` (the attribution consumer group: replicas share
 * the partitions). Status and progress are written in their own short transactions so clients see
 * them while the job runs; the result, the final status and `attribution.run.completed.v1` are
 * written in the message's transaction, so a job that dies half-way is redelivered and run again.
 * A run cancelled meanwhile is left cancelled and its work dropped.
 */
@Injectable()
export class RunWorker {
  constructor(private readonly transactions: Transactions) {}

  eventHandlers(): EventHandlers {
    return {
      'attribution.job.requested.v1': (job, { manager, tenantId }) => this.work(manager, tenantId, job.jobId),
    };
  }

  private async work(manager: EntityManager, tenantId: string, runId: string): Promise<void> {
    const run = await this.progress(tenantId, runId, 0.05, `status in ('queued', 'running')`, true);
    if (!run) return; // cancelled, finished or unknown: nothing to do
    const settings = await loadTenantSettings(manager);
    const period = parsePeriod(run.period_from, run.period_to, Number.MAX_SAFE_INTEGER);
    const withNulls =
      (run.model === 'markov' && run.options.includeNullPaths) ||
      (run.model === 'shapley_exact' && run.options.worth === 'conversion_rate');
    const paths = await periodPaths(manager, period, settings.lookbackDays, withNulls);
    if (!(await this.progress(tenantId, runId, 0.5, `status = 'running'`))) return;
    let outcome: ReturnType<typeof computeRun> | null = null;
    let error: string | null = null;
    try {
      outcome = computeRun(run.model, run.options, paths);
    } catch (failure) {
      error = (failure as Error).message;
    }
    const [finished] = await updateReturning<RunRow>(
      manager,
      `update attribution.runs set status = $2, progress = 1, result = $3, error = $4, completed_at = now()
        where run_id = $1 and status = 'running' returning ${RUN_COLUMNS}`,
      [runId, outcome ? 'succeeded' : 'failed', outcome ? JSON.stringify(outcome) : null, error],
    );
    if (finished) await publishCompletion(manager, tenantId, finished);
  }

  /** Moves the run's progress (and marks it running) in a transaction of its own; null when the run is not in `when`. */
  private async progress(
    tenantId: string,
    runId: string,
    progress: number,
    when: string,
    start = false,
  ): Promise<RunRow | undefined> {
    const [row] = await this.transactions.forTenant(tenantId, (m) =>
      updateReturning<RunRow>(
        m,
        `update attribution.runs set status = 'running', progress = $2
           ${start ? ', started_at = now()' : ''}
          where run_id = $1 and ${when} returning ${RUN_COLUMNS}`,
        [runId, progress],
      ),
    );
    return row;
  }
}
