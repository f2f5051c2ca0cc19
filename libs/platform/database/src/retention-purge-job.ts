import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import {
  PURGE_BATCH_SIZE,
  PURGE_INTERVAL_MS,
  PURGE_MAX_BATCHES,
  purgeExpired,
  type PurgeTarget,
} from './retention';
import { Transactions } from './database.module';
import { Metrics } from '@sextant/platform/http';
import { Counter } from 'prom-client';

export interface RetentionPurge {
  /** One purge run: rows deleted per data class, or null when another replica is purging. */
  run(now?: Date, batchSize?: number): Promise<Record<string, number> | null>;
}

/**
 * A service's scheduled retention purge, as a Nest provider: every PURGE_INTERVAL_MS it deletes
 * what is past each tenant's window for `targets` in bounded batches, one replica at a time (an
 * advisory lock), and counts the rows in `<service>_retention_rows_purged_total{data_class}`.
 */
export function retentionPurgeJob(service: string, targets: PurgeTarget[]): Type<RetentionPurge> {
  @Injectable()
  class RetentionPurgeJob implements RetentionPurge, OnApplicationBootstrap, OnApplicationShutdown {
    private readonly logger = new Logger('RetentionPurge');
    private readonly purged: Counter<'data_class'>;
    private timer?: NodeJS.Timeout;

    constructor(
      private readonly transactions: Transactions,
      metrics: Metrics,
    ) {
      this.purged = new Counter({
        name: `${service}_retention_rows_purged_total`,
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

    async run(now = new Date(), batchSize = PURGE_BATCH_SIZE): Promise<Record<string, number> | null> {
      const purged = await purgeExpired(this.transactions.dataSource, {
        lockName: `${service}:retention-purge`,
        targets,
        now,
        batchSize,
        maxBatches: PURGE_MAX_BATCHES,
      });
      for (const [dataClass, rows] of Object.entries(purged ?? {}))
        if (rows > 0) this.purged.inc({ data_class: dataClass }, rows);
      return purged;
    }
  }
  return RetentionPurgeJob;
}
