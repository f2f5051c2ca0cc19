import { Injectable } from '@nestjs/common';
import { type EventHandlers, type EventSubscriber, NonRetryableError } from '@sextant/platform/messaging';
import { MmmFitRunner } from './fit-runner';
import { MmmFitRecord } from './mmm.entities';
import { upsertDailySpend } from './mmm.repository';

/** Daily spend for event-fed fits, and the fit jobs of the MMM work topic. */
@Injectable()
export class MmmConsumer implements EventSubscriber {
  constructor(private readonly runner: MmmFitRunner) {}

  eventHandlers(): EventHandlers {
    return {
      'marketing.spend.recorded.v1': async (spend, { manager, tenantId }) => {
        if (spend.tenantId !== tenantId)
          throw new NonRetryableError('the payload tenantId differs from the tenant-id header');
        await upsertDailySpend(manager, tenantId, spend);
      },
      'attribution.mmm-job.requested.v1': async (job, { manager, tenantId }) => {
        const fit = await manager.findOne(MmmFitRecord, {
          where: { tenantId, fitId: job.fitId },
          select: { status: true },
        });
        // The fit runs outside this transaction, after it commits; a fit no longer queued is done.
        if (fit?.status === 'queued') this.runner.enqueue(tenantId, job.fitId);
      },
    };
  }
}
