import { Injectable } from '@nestjs/common';
import {
  type EventHandlers,
  type EventSubscriber,
  subjectErasureHandlers,
} from '@sextant/platform/messaging';
import { IdentityEraser } from './identity-eraser';
import { DeadLettersEraser, OrderCustomerEraser, TrackedMessagesEraser } from './ingestion-erasers';
import { SubjectRequestsService } from './subject-requests.service';

/** Erases what ingestion holds about a subject, and collects every service's confirmation. */
@Injectable()
export class SubjectRequestsConsumer implements EventSubscriber {
  constructor(private readonly requests: SubjectRequestsService) {}

  eventHandlers(): EventHandlers {
    return {
      ...subjectErasureHandlers('ingestion', [
        new TrackedMessagesEraser(),
        new DeadLettersEraser(),
        new OrderCustomerEraser(),
        new IdentityEraser(),
      ]),
      'privacy.subject.deletion-completed.v1': (done, { manager }) =>
        this.requests.confirm(manager, done.requestId, done.service, done.erased, new Date(done.completedAt)),
    };
  }
}
