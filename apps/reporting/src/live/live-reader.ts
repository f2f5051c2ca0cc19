import { Injectable } from '@nestjs/common';
import { Transactions } from '@sextant/platform/database';

export interface LiveMessage {
  seq: string;
  kind: string;
  data: object;
}

/** How often a connection looks for new messages, and pings to keep proxies open. */
export const LIVE_POLL_MS = 1_000;
export const LIVE_HEARTBEAT_MS = 15_000;
const REPLAY_LIMIT = 1_000;

/**
 * Reads a tenant's live messages for the SSE and WebSocket connections. Every read runs in the
 * tenant's own RLS transaction: no other tenant's rows can reach a connection.
 */
@Injectable()
export class LiveReader {
  constructor(private readonly transactions: Transactions) {}

  /** Where a new connection without a resume point starts: now. */
  async latest(tenantId: string): Promise<bigint> {
    const [row] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select coalesce(max(seq), 0)::text as seq from live_events`),
    );
    return BigInt(row.seq as string);
  }

  after(tenantId: string, after: bigint): Promise<LiveMessage[]> {
    return this.transactions.forTenant(tenantId, (m) =>
      m.query(`select seq::text as seq, kind, data from live_events where seq > $1 order by seq limit $2`, [
        after.toString(),
        REPLAY_LIMIT,
      ]),
    );
  }
}

/** A resume point from a client (`Last-Event-ID`, `after`), or null when absent or malformed. */
export const resumePoint = (value: string | undefined): bigint | null =>
  /^\d{1,18}$/.test(value ?? '') ? BigInt(value!) : null;
