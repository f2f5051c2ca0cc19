import { Injectable, Module } from '@nestjs/common';
import { RETENTION_DEFAULTS, retentionPurgeJob } from '@sextant/platform/database';
import type { EventHandlers, EventSubscriber } from '@sextant/platform/messaging';

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

/** Audit events past their tenant's window (never under a year: the purge function's floor). */
export const RetentionPurgeJob = retentionPurgeJob('auth', [
  {
    dataClass: 'audit_log',
    purgeFunction: 'auth.purge_audit_events',
    defaultDays: RETENTION_DEFAULTS.auditLogDays,
  },
]);

@Module({ providers: [RetentionPurgeJob, RetentionWindowsConsumer] })
export class RetentionModule {}
