import { Injectable } from '@nestjs/common';
import {
  type EventHandlers,
  type EventSubscriber,
  subjectErasureHandlers,
} from '@sextant/platform/messaging';

/**
 * Confirms deletion requests. Reporting holds no customer-grain data yet (ping arrivals only), so
 * there is nothing to erase; a table keyed by profile or order customer gets its eraser here.
 */
@Injectable()
export class SubjectErasureConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return subjectErasureHandlers('reporting', []);
  }
}
