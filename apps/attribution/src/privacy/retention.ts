import { Injectable, Module } from '@nestjs/common';
import { RETENTION_DEFAULTS, retentionPurgeJob } from '@sextant/platform/database';
import type { EventHandlers, EventSubscriber } from '@sextant/platform/messaging';

/** Keeps each tenant's journeys window from the newest privacy.retention.changed.v1. */
@Injectable()
export class RetentionWindowsConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return {
      'privacy.retention.changed.v1': async (change, { manager, tenantId }) => {
        await manager.query(
          `insert into attribution.retention_windows (tenant_id, journeys_days, changed_at) values ($1, $2, $3)
           on conflict (tenant_id) do update set journeys_days = excluded.journeys_days, changed_at = excluded.changed_at
           where attribution.retention_windows.changed_at < excluded.changed_at`,
          [tenantId, change.windows.journeysDays, change.changedAt],
        );
      },
    };
  }
}

/** Touchpoints past their tenant's journeys window. */
export const RetentionPurgeJob = retentionPurgeJob('attribution', [
  {
    dataClass: 'journeys',
    purgeFunction: 'attribution.purge_touchpoints',
    defaultDays: RETENTION_DEFAULTS.journeysDays,
  },
]);

@Module({ providers: [RetentionPurgeJob, RetentionWindowsConsumer] })
export class RetentionModule {}
