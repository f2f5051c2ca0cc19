import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EventPayloads } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import {
  addToOutbox,
  assertValidEvent,
  HEADERS,
  Messaging,
  waitForLeaders,
} from '@sextant/platform/messaging';
import type { Consumer } from 'kafkajs';
import { Counter } from 'prom-client';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { FORECASTING_CONFIG, type ForecastingConfig } from '../config';
import { DemandHistory } from '../demand/demand-history';
import { demandSeries, forecastPeriods } from '../demand/demand-series';
import { announceRunEnd, finalStatus, RUN_COLUMNS, type RunRow } from './runs.service';
import { computeSku, type RunSettings, type SkuOutcome } from './sku-computation';

type Job = EventPayloads['forecasting.job.requested.v1'];
const JOB_TOPIC = 'forecasting.job.requested.v1';

class WorkerStopping extends Error {}

/**
 * The forecasting consumer group's workers: each job (a chunk of a run's SKUs) is computed SKU by
 * SKU, each result committed with its counters and events as it finishes, so a redelivered job
 * (after a crash or a rebalance) skips what is done. The event loop is yielded between SKUs and
 * the group heartbeat sent at least every second, so long jobs neither stall HTTP nor the group.
 * Cancellation is seen within a second. A SKU that fails is recorded with its error.
 */
@Injectable()
export class ForecastJobsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ForecastJobs');
  private consumer?: Consumer;
  private stopping = false;
  private readonly skusForecast: Counter<'outcome'>;

  constructor(
    private readonly messaging: Messaging,
    private readonly transactions: Transactions,
    private readonly history: DemandHistory,
    @Inject(FORECASTING_CONFIG) private readonly config: ForecastingConfig,
    metrics: Metrics,
  ) {
    this.skusForecast = new Counter({
      name: 'forecasting_skus_total',
      help: 'SKUs of forecast and backtest runs finished by this worker, by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap() {
    const topic = this.messaging.topics.topic(JOB_TOPIC);
    await this.ensurePartitions(topic);
    this.consumer = this.messaging.kafka.consumer({
      groupId: `${this.messaging.topics.group('forecasting')}.jobs`,
      sessionTimeout: this.config.FORECAST_JOB_SESSION_TIMEOUT_MS,
      rebalanceTimeout: this.config.FORECAST_JOB_SESSION_TIMEOUT_MS * 2,
      heartbeatInterval: 1_000,
      // A consumer that joined while another replica was adding partitions is assigned only those it
      // knew of; it finds the rest when its metadata ages out (kafkajs' default 5 minutes).
      metadataMaxAge: 30_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, heartbeat }) => {
        let job: Job;
        try {
          job = JSON.parse(message.value?.toString('utf8') ?? '');
          assertValidEvent(JOB_TOPIC, job);
          if (message.headers?.[HEADERS.tenantId]?.toString() !== job.tenantId)
            throw new Error('tenant-id header and payload differ');
        } catch (error) {
          this.logger.error(`unusable job message at offset ${message.offset}: ${(error as Error).message}`);
          return;
        }
        await this.process(job, heartbeat);
      },
    });
  }

  async onApplicationShutdown() {
    this.stopping = true;
    await this.consumer?.disconnect();
  }

  /** The work topic needs enough partitions for every replica to get some. */
  private async ensurePartitions(topic: string) {
    const admin = this.messaging.kafka.admin();
    await admin.connect();
    try {
      const wanted = this.config.FORECAST_JOB_PARTITIONS;
      if (!(await admin.listTopics()).includes(topic))
        await admin
          .createTopics({ topics: [{ topic, numPartitions: wanted }], waitForLeaders: false })
          .catch(() => {});
      // Leaders are awaited here, for a topic created just now by this or another replica.
      await waitForLeaders(admin, [topic]);
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      if (metadata.partitions.length < wanted) {
        await admin.createPartitions({ topicPartitions: [{ topic, count: wanted }] }).catch(() => {});
        // Joining before the broker shows them all would leave jobs keyed to the new ones waiting.
        await waitForLeaders(admin, [topic], { partitions: wanted });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async process(job: Job, heartbeat: () => Promise<void>) {
    const { tenantId, runId } = job;
    const read = <T>(fn: (m: EntityManager) => Promise<T>) => this.transactions.forTenant(tenantId, fn);
    const [run]: RunRow[] = await read((m) =>
      m.query(`select ${RUN_COLUMNS} from forecast_runs where run_id = $1`, [runId]),
    );
    if (!run || run.status !== 'running' || !run.history_end) return;
    const done: { sku: string }[] = await read((m) =>
      m.query(`select sku from forecast_results where run_id = $1 and sku = any($2::text[])`, [
        runId,
        job.skus,
      ]),
    );
    const finished = new Set(done.map((d) => d.sku));
    const pending = job.skus.filter((sku) => !finished.has(sku));
    if (pending.length === 0) return;
    const rows = await read((m) => this.history.rowsBySku(m, pending, run.history_end!));
    const settings: RunSettings = {
      kind: run.kind,
      horizon: run.horizon,
      season: run.season,
      levels: run.levels,
      ...run.options,
    };
    let lastBeat = Date.now();
    for (const sku of pending) {
      if (this.stopping) throw new WorkerStopping('worker stopping: the job is redelivered');
      await yieldToEventLoop();
      if (Date.now() - lastBeat > 1_000) {
        await heartbeat();
        lastBeat = Date.now();
      }
      let outcome: SkuOutcome | undefined;
      let error: string | undefined;
      try {
        const series = demandSeries(rows.get(sku) ?? [], run.history_end, run.frequency);
        outcome = computeSku(series.values, settings);
      } catch (e) {
        error = (e as Error).message || String(e);
      }
      const recorded = await this.transactions.forTenant(tenantId, (m) =>
        this.record(m, runId, sku, outcome, error),
      );
      if (recorded === 'recorded') this.skusForecast.inc({ outcome: outcome ? 'succeeded' : 'failed' });
      if (recorded === 'stopped') return;
    }
  }

  /** Commits one SKU's result, the run's counters and its events; ends the run with its last SKU. */
  private async record(
    manager: EntityManager,
    runId: string,
    sku: string,
    outcome: SkuOutcome | undefined,
    error: string | undefined,
  ): Promise<'recorded' | 'duplicate' | 'stopped'> {
    const [run]: RunRow[] = await manager.query(
      `select ${RUN_COLUMNS} from forecast_runs where run_id = $1 for update`,
      [runId],
    );
    if (!run || run.status !== 'running') return 'stopped';
    const periods = forecastPeriods(run.history_end!, run.frequency, run.horizon);
    const points = outcome
      ? outcome.forecast.map((mean, i) => ({
          period: periods[i],
          mean,
          intervals: Object.fromEntries(
            Object.entries(outcome.intervals).map(([level, band]) => [
              level,
              { lower: band.lower[i], upper: band.upper[i] },
            ]),
          ),
        }))
      : [];
    const inserted = await manager.query(
      `insert into forecast_results (run_id, sku, tenant_id, status, class, adi, cv2, method, model, cv_error, points,
         metrics, fallback, error)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       on conflict do nothing returning computed_at`,
      [
        runId,
        sku,
        run.tenant_id,
        outcome ? 'succeeded' : 'failed',
        outcome?.class ?? null,
        outcome?.adi ?? null,
        outcome?.cv2 ?? null,
        outcome?.method ?? null,
        outcome?.model ?? null,
        outcome?.cvError ?? null,
        JSON.stringify(points),
        outcome?.metrics ? JSON.stringify(outcome.metrics) : null,
        outcome?.fallback ?? null,
        error ?? null,
      ],
    );
    if (inserted.length === 0) return 'duplicate';
    // (TypeORM answers an UPDATE ... RETURNING with [rows, affected].)
    const [[counted]]: [RunRow[], number] = await manager.query(
      `update forecast_runs set skus_succeeded = skus_succeeded + $2, skus_failed = skus_failed + $3
        where run_id = $1 returning ${RUN_COLUMNS}`,
      [runId, outcome ? 1 : 0, outcome ? 0 : 1],
    );
    if (outcome && run.kind === 'forecast')
      await addToOutbox(manager, 'forecasting.sku-forecast.computed.v1', {
        tenantId: run.tenant_id,
        key: `${run.tenant_id}:${sku}`,
        payload: {
          tenantId: run.tenant_id,
          runId,
          sku,
          class: outcome.class,
          method: outcome.method,
          frequency: run.frequency,
          points,
          cvError: outcome.cvError,
          computedAt: (inserted[0].computed_at as Date).toISOString(),
        },
      });
    if (counted.skus_succeeded + counted.skus_failed === counted.skus_total) {
      const status = finalStatus(counted.skus_total, counted.skus_failed);
      await manager.query(`update forecast_runs set status = $2, completed_at = now() where run_id = $1`, [
        runId,
        status,
      ]);
      await announceRunEnd(manager, counted, status);
    }
    return 'recorded';
  }
}
