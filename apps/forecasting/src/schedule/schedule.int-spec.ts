import { createServiceDataSource, Transactions, withTenant } from '@sextant/platform/database';
import { MESSAGING_ENTITIES } from '@sextant/platform/messaging';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadForecastingConfig } from '../config';
import { DemandHistory } from '../demand/demand-history';
import { RunsService } from '../runs/runs.service';
import { ScheduleService } from './schedule.service';

// The scheduler against the real schema: a due tenant gets exactly one run however many replicas
// look at once, and the next one is due a period later.
describe('scheduled runs (real PostgreSQL)', () => {
  const env = testEnvironment();
  const config = loadForecastingConfig({
    NODE_ENV: 'test',
    KAFKA_BROKERS: env.brokers.join(','),
    DATABASE_URL: serviceUrls(env, 'forecasting').appUrl,
    FORECAST_SCHEDULER_INTERVAL_MS: '0',
    FORECAST_JOB_SIZE: '2',
  });
  let db: DataSource;
  let replicas: ScheduleService[];

  beforeAll(async () => {
    db = await createServiceDataSource({
      schema: 'forecasting',
      url: config.DATABASE_URL,
      entities: [...MESSAGING_ENTITIES],
    }).initialize();
    const transactions = new Transactions(db);
    replicas = [1, 2, 3].map(
      () =>
        new ScheduleService(transactions, new RunsService(transactions, new DemandHistory(), config), config),
    );
  });
  afterAll(() => db.destroy());

  it('starts one run per due tenant across replicas, queues its jobs and moves the schedule on', async () => {
    const tenant = randomUUID();
    await withTenant(db, tenant, (m) =>
      new DemandHistory().importRows(m, tenant, [
        { sku: 'A', date: '2026-05-01', quantity: 3 },
        { sku: 'B', date: '2026-05-02', quantity: 1 },
        { sku: 'C', date: '2026-05-02', quantity: 2 },
      ]),
    );
    const schedule = await replicas[0].set(tenant, {
      enabled: true,
      everyHours: 24,
      horizon: 14,
      frequency: 'day',
    });
    expect(Date.parse(schedule.nextRunAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(await replicas[0].runDue()).toEqual([]);

    await db.query(
      `update schedule_slots set next_run_at = now() - interval '1 minute' where tenant_id = $1`,
      [tenant],
    );
    const started = (await Promise.all(replicas.map((r) => r.runDue()))).flat();
    expect(started).toHaveLength(1);
    const runs = await withTenant(db, tenant, (m) =>
      m.query(`select run_id, trigger, skus_total, horizon from forecast_runs`),
    );
    expect(runs).toEqual([{ run_id: started[0], trigger: 'schedule', skus_total: 3, horizon: 14 }]);
    const jobs = await db.query(
      `select payload from outbox_messages where topic = 'forecasting.job.requested.v1' and payload->>'runId' = $1 order by payload->>'job'`,
      [started[0]],
    );
    expect(jobs.map((j: { payload: { skus: string[] } }) => j.payload.skus)).toEqual([['A', 'B'], ['C']]);
    const after = await replicas[1].get(tenant);
    expect(after.lastRunId).toBe(started[0]);
    expect(Date.parse(after.nextRunAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(await replicas[2].runDue()).toEqual([]);
  });
});
