import { Controller, Get, Headers, Res } from '@nestjs/common';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import type { FastifyReply } from 'fastify';
import { LIVE_HEARTBEAT_MS, LIVE_POLL_MS, LiveReader, resumePoint } from './live-reader';

/**
 * Server-sent events of the caller's tenant: KPI changes, new signals, run completions. Each
 * message carries its sequence number as `id`, so a client reconnecting with Last-Event-ID gets
 * what it missed. (Polling per connection; LISTEN/NOTIFY would spare the database at scale.)
 */
@Controller('api/v1/reporting/stream')
export class LiveController {
  constructor(private readonly reader: LiveReader) {}

  @Get()
  @RequirePermissions('reports:read')
  async stream(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    let after = resumePoint(lastEventId) ?? (await this.reader.latest(identity.tenantId));
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
        for (const row of await this.reader.after(identity.tenantId, after)) {
          raw.write(`id: ${row.seq}\nevent: ${row.kind}\ndata: ${JSON.stringify(row.data)}\n\n`);
          after = BigInt(row.seq);
        }
      } catch {
        close();
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void poll(), LIVE_POLL_MS);
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), LIVE_HEARTBEAT_MS);
    const close = () => {
      open = false;
      clearInterval(timer);
      clearInterval(heartbeat);
      if (!raw.writableEnded) raw.end();
    };
    raw.on('close', close);
    await poll();
  }
}
