import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import { Ping } from './ping.entity';

type PingRequest = ingestionApi.components['schemas']['PingRequest'];
type PingReceipt = ingestionApi.components['schemas']['PingReceipt'];

@Injectable()
export class PingsService {
  constructor(private readonly transactions: Transactions) {}

  /** Stores the ping and its event in one transaction; the outbox relay publishes the event. */
  record(tenantId: string, request: PingRequest): Promise<PingReceipt> {
    const ping: Ping = {
      id: randomUUID(),
      tenantId,
      note: request.note ?? null,
      recordedAt: new Date(),
    };
    return this.transactions.forTenant(ping.tenantId, async (manager) => {
      await manager.insert(Ping, ping);
      await addToOutbox(manager, 'ingestion.ping.recorded.v1', {
        tenantId: ping.tenantId,
        key: ping.tenantId,
        payload: {
          pingId: ping.id,
          tenantId: ping.tenantId,
          note: ping.note,
          recordedAt: ping.recordedAt.toISOString(),
        },
      });
      return { pingId: ping.id, tenantId: ping.tenantId, recordedAt: ping.recordedAt.toISOString() };
    });
  }
}
