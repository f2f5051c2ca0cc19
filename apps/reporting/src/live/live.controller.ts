import { Controller, Get, Headers, Res } from '@nestjs/common';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import type { FastifyReply } from 'fastify';

/** How often a connection looks for new messages, and sends a comment line to keep proxies open. */
const POLL_MS = 1_000;
const HEARTBEAT_MS = 15_000;
const REPLAY_LIMIT = 1_000;

/**
 * Server-sent events of the caller's tenant: KPI changes, new signals, run completions. Each
 * message carries its sequence number as `id`, so a client reconnecting with Last-Event-ID gets
 * what it missed. Every read runs in the tenant's own RLS transaction: no other tenant's rows can
 * reach the connection. (Polling per connection; LISTEN/NOTIFY would spare the database at scale.)
 */
@Controller('api/v1/reporting/stream')
export class LiveController {
  constructor(private readonly transactions: Transactions) {}

  @Get()
  @RequirePermissions('reports:read')
  async stream(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    let after = /^\d{1,18}$/.test(lastEventId ?? '') ? BigInt(lastEventId!) : null;
    if (after === null) after = await this.latest(identity.tenantId);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'x-request-id': String(reply.request.id),
    });
    raw.write(': connected\n\n');
    let open = true;
    let busy = false;
    const poll = async () => {
      if (!open || busy) return;
      busy = true;
      try {
        const rows: { seq: string; kind: string; data: object }[] = await this.transactions.forTenant(
          identity.tenantId,
          (m) =>
            m.query(
              `select seq::text as seq, kind, data from live_events where seq > $1 order by seq limit $2`,
              [after!.toString(), REPLAY_LIMIT],
            ),
        );
        for (const row of rows) {
          raw.write(`id: ${row.seq}\nevent: ${row.kind}\ndata: ${JSON.stringify(row.data)}\n\n`);
          after = BigInt(row.seq);
        }
      } catch {
        close();
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
    const close = () => {
      open = false;
      clearInterval(timer);
      clearInterval(heartbeat);
      if (!raw.writableEnded) raw.end();
    };
    raw.on('close', close);
    await poll();
  }

  /** A new connection without Last-Event-ID starts from now. */
  private async latest(tenantId: string): Promise<bigint> {
    const [row] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select coalesce(max(seq), 0)::text as seq from live_events`),
    );
    return BigInt(row.seq as string);
  }
}
