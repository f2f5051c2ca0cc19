import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  PURGE_BATCH_SIZE,
  PURGE_INTERVAL_MS,
  PURGE_MAX_BATCHES,
  purgeExpired,
  RETENTION_DEFAULTS,
  Transactions,
} from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import { Counter } from 'prom-client';

/** Ingestion's data classes: dedup records of accepted events and dead letters. */
const TARGETS = [
  {
    dataClass: 'raw_events',
    purgeFunction: 'ingestion.purge_tracked_messages',
    defaultDays: RETENTION_DEFAULTS.rawEventsDays,
  },
  {
    dataClass: 'dead_letters',
    purgeFunction: 'ingestion.purge_dead_letters',
    defaultDays: RETENTION_DEFAULTS.deadLettersDays,
  },
];

/** Every PURGE_INTERVAL_MS, deletes what is past each tenant's window (one replica at a time). */
@Injectable()
export class RetentionPurgeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionPurge');
  private readonly purged: Counter<'data_class'>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly transactions: Transactions,
    metrics: Metrics,
  ) {
    this.purged = new Counter({
      name: 'ingestion_retention_rows_purged_total',
      help: 'Rows deleted by the retention purge because they were past their tenant window, by data class',
      labelNames: ['data_class'],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap() {
    this.timer = setInterval(() => {
      this.run().catch((error: Error) => this.logger.error(`retention purge: ${error.message}`));
    }, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  /** One purge run; null when another replica is purging. */
  async run(now = new Date(), batchSize = PURGE_BATCH_SIZE): Promise<Record<string, number> | null> {
    const purged = await purgeExpired(this.transactions.dataSource, {
      lockName: 'ingestion:retention-purge',
      targets: TARGETS,
      now,
      batchSize,
      maxBatches: PURGE_MAX_BATCHES,
    });
    for (const [dataClass, rows] of Object.entries(purged ?? {}))
      if (rows > 0) this.purged.inc({ data_class: dataClass }, rows);
    return purged;
  }
}
