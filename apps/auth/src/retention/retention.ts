import {
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  PURGE_BATCH_SIZE,
  PURGE_INTERVAL_MS,
  PURGE_MAX_BATCHES,
  purgeExpired,
  RETENTION_DEFAULTS,
  Transactions,
} from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import type { EventHandlers, EventSubscriber } from '@sextant/platform/messaging';
import { Counter } from 'prom-client';

/** Keeps each tenant's audit log window from the newest privacy.retention.changed.v1. */
@Injectable()
export class RetentionWindowsConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return {
      'privacy.retention.changed.v1': async (change, { manager, tenantId }) => {
        await manager.query(
          `insert into auth.retention_windows (tenant_id, audit_log_days, changed_at) values ($1, $2, $3)
           on conflict (tenant_id) do update set audit_log_days = excluded.audit_log_days, changed_at = excluded.changed_at
           where auth.retention_windows.changed_at < excluded.changed_at`,
          [tenantId, change.windows.auditLogDays, change.changedAt],
        );
      },
    };
  }
}

/** Every PURGE_INTERVAL_MS, deletes audit events past their tenant's window (never under a year) (one replica at a time). */
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
      name: 'auth_retention_rows_purged_total',
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
      lockName: 'auth:retention-purge',
      targets: [
        {
          dataClass: 'audit_log',
          purgeFunction: 'auth.purge_audit_events',
          defaultDays: RETENTION_DEFAULTS.auditLogDays,
        },
      ],
      now,
      batchSize,
      maxBatches: PURGE_MAX_BATCHES,
    });
    for (const [dataClass, rows] of Object.entries(purged ?? {}))
      if (rows > 0) this.purged.inc({ data_class: dataClass }, rows);
    return purged;
  }
}

@Module({ providers: [RetentionPurgeJob, RetentionWindowsConsumer] })
export class RetentionModule {}
