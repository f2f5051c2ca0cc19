import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { forecastingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import type { EntityManager } from 'typeorm';
import { FORECASTING_CONFIG, type ForecastingConfig } from '../config';
import { RunsService } from '../runs/runs.service';

type Schemas = forecastingApi.components['schemas'];

interface ScheduleRow {
  enabled: boolean;
  every_hours: number;
  horizon: number;
  frequency: 'day' | 'week';
  season: number | null;
  levels: number[];
  next_run_at: Date;
  last_run_id: string | null;
}

const view = (row: ScheduleRow): Schemas['Schedule'] => ({
  enabled: row.enabled,
  everyHours: row.every_hours,
  horizon: row.horizon,
  frequency: row.frequency,
  season: row.season,
  levels: row.levels,
  nextRunAt: row.next_run_at.toISOString(),
  lastRunId: row.last_run_id,
});

/**
 * Scheduled runs. Every replica looks for due tenants; `FOR UPDATE SKIP LOCKED` on the
 * cross-tenant slot table gives each due tenant to exactly one replica, which creates the run and
 * moves the slot on in the same transaction.
 */
@Injectable()
export class ScheduleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly transactions: Transactions,
    private readonly runs: RunsService,
    @Inject(FORECASTING_CONFIG) private readonly config: ForecastingConfig,
  ) {}

  onApplicationBootstrap() {
    const every = this.config.FORECAST_SCHEDULER_INTERVAL_MS;
    if (every > 0)
      this.timer = setInterval(() => {
        this.runDue().catch((error: Error) => this.logger.error(`scheduler: ${error.message}`));
      }, every);
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  async get(tenantId: string): Promise<Schemas['Schedule']> {
    const [row]: ScheduleRow[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select * from forecast_schedules`),
    );
    if (!row) throw ApiProblem.notFound('No schedule is set.');
    return view(row);
  }

  async set(tenantId: string, request: Schemas['ScheduleRequest']): Promise<Schemas['Schedule']> {
    if ((request.frequency ?? 'day') === 'week' && request.horizon > 104)
      throw ApiProblem.badRequest('The schedule is out of range.', [
        { field: '/body/horizon', message: `a weekly horizon is at most 104 weeks, got ${request.horizon}` },
      ]);
    return this.transactions.forTenant(tenantId, async (m) => {
      const enabled = request.enabled ?? true;
      const [row]: ScheduleRow[] = await m.query(
        `insert into forecast_schedules (tenant_id, enabled, every_hours, horizon, frequency, season, levels, next_run_at)
         values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(hours => $3))
         on conflict (tenant_id) do update set enabled = excluded.enabled, every_hours = excluded.every_hours,
           horizon = excluded.horizon, frequency = excluded.frequency, season = excluded.season,
           levels = excluded.levels, next_run_at = excluded.next_run_at
         returning *`,
        [
          tenantId,
          enabled,
          request.everyHours,
          request.horizon,
          request.frequency ?? 'day',
          request.season ?? null,
          request.levels ?? [80, 95],
        ],
      );
      if (enabled)
        await m.query(
          `insert into schedule_slots (tenant_id, next_run_at) values ($1, $2)
           on conflict (tenant_id) do update set next_run_at = excluded.next_run_at`,
          [tenantId, row.next_run_at],
        );
      else await m.query(`delete from schedule_slots where tenant_id = $1`, [tenantId]);
      return view(row);
    });
  }

  /** Starts the runs that are due; returns their ids. Safe to call from several replicas at once. */
  async runDue(limit = 20): Promise<string[]> {
    return this.transactions.system(async (m) => {
      const due: { tenant_id: string }[] = await m.query(
        `select tenant_id from schedule_slots where next_run_at <= now()
          order by next_run_at limit $1 for update skip locked`,
        [limit],
      );
      const started: string[] = [];
      for (const { tenant_id: tenantId } of due) {
        await m.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
        const runId = await this.startScheduled(m, tenantId);
        if (runId) started.push(runId);
      }
      await m.query(`select set_config('app.tenant_id', '', true)`);
      return started;
    });
  }

  private async startScheduled(m: EntityManager, tenantId: string): Promise<string | undefined> {
    const [schedule]: ScheduleRow[] = await m.query(`select * from forecast_schedules where enabled`);
    if (!schedule) {
      await m.query(`delete from schedule_slots where tenant_id = $1`, [tenantId]);
      return undefined;
    }
    const run = await this.runs.createIn(
      m,
      tenantId,
      {
        horizon: schedule.horizon,
        frequency: schedule.frequency,
        season: schedule.season ?? undefined,
        levels: schedule.levels,
      },
      'schedule',
    );
    await m.query(
      `update forecast_schedules set last_run_id = $1, next_run_at = now() + make_interval(hours => every_hours)`,
      [run.runId],
    );
    await m.query(
      `update schedule_slots set next_run_at = now() + make_interval(hours => $2) where tenant_id = $1`,
      [tenantId, schedule.every_hours],
    );
    return run.runId;
  }
}
