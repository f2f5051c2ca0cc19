import { Injectable } from '@nestjs/common';
import { type EventHandlers, type EventSubscriber, NonRetryableError } from '@sextant/platform/messaging';
import { AuditLog } from './audit-log';

/** Stores the audit events every service publishes into the tenant's append-only audit log. */
@Injectable()
export class AuditEventsConsumer implements EventSubscriber {
  constructor(private readonly audit: AuditLog) {}

  eventHandlers(): EventHandlers {
    return {
      'audit.event.recorded.v1': async (event, { manager, tenantId, eventId }) => {
        if (event.tenantId !== tenantId)
          throw new NonRetryableError(
            `payload tenant ${event.tenantId} differs from header tenant ${tenantId}`,
          );
        await this.audit.store(manager, eventId, event);
      },
    };
  }
}
