import { Injectable } from '@nestjs/common';
import type { EventHandlers, EventSubscriber } from '@sextant/platform/messaging';
import { PingArrival } from './ping-arrival.entity';

@Injectable()
export class PingArrivalsConsumer implements EventSubscriber {
  eventHandlers(): EventHandlers {
    return {
      'ingestion.ping.recorded.v1': async (ping, { manager, tenantId }) => {
        await manager.insert(PingArrival, {
          pingId: ping.pingId,
          tenantId,
          note: ping.note ?? null,
          recordedAt: new Date(ping.recordedAt),
        });
      },
    };
  }
}
