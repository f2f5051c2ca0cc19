import { Injectable } from '@nestjs/common';
import {
  type EventHandlers,
  type EventSubscriber,
  subjectErasureHandlers,
} from '@sextant/platform/messaging';

/**
 * Confirms deletion requests. Forecasting holds demand per SKU and day, and per order only the SKU
 * quantities it contributed (no customer, no profile): nothing links to a data subject.
 */
@Injectable()
export class SubjectErasureConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return subjectErasureHandlers('forecasting', []);
  }
}
