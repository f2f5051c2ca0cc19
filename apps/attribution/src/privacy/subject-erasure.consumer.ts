import { Injectable } from '@nestjs/common';
import {
  type EventHandlers,
  type EventSubscriber,
  subjectErasureHandlers,
} from '@sextant/platform/messaging';
import { JourneyEraser } from './journey-eraser';

/** Erases a subject's journeys when ingestion asks, and confirms. */
@Injectable()
export class SubjectErasureConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return subjectErasureHandlers('attribution', [new JourneyEraser()]);
  }
}
