import websocket from '@fastify/websocket';
import { AccessTokenVerifier, InvalidAccessToken, type VerifiedIdentity } from '@sextant/platform/auth';
import { ApiProblem, sendProblem } from '@sextant/platform/http';
import type { Logger } from '@sextant/platform/logging';
import type { NestFastifyApplication } from '@sextant/platform/service';
import type { FastifyRequest } from 'fastify';
import { LIVE_HEARTBEAT_MS, LIVE_POLL_MS, LiveReader, resumePoint } from './live-reader';

export const LIVE_SOCKET_PATH = '/api/v1/reporting/live';
/** The subprotocol the server speaks; `bearer.<token>` next to it carries a browser's token. */
export const LIVE_SUBPROTOCOL = 'sextant.live.v1';
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
const BEARER_PROTOCOL = /^bearer\.([A-Za-z0-9._~-]+)$/;

/** As the access guard leaves it, so the audit trail records this route's denials too. */
type LiveRequest = FastifyRequest & { identity?: VerifiedIdentity };

/** The access token of an upgrade request: `Authorization`, or a `bearer.<token>` subprotocol. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const fromHeader = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  if (fromHeader) return fromHeader;
  const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(',');
  return protocols.map((p) => BEARER_PROTOCOL.exec(p.trim())?.[1]).find(Boolean);
}

/**
 * The live messages of the SSE stream over a WebSocket (`GET /api/v1/reporting/live`): one JSON
 * text frame per message, `{"id", "event", "data"}`. The token is checked before the upgrade
 * (401/403 problems as for any route); the connection then reads only its tenant's rows. A raw
 * Fastify route (Nest has no WebSocket route on Fastify), so it authenticates itself here.
 */
export async function registerLiveSocket(app: NestFastifyApplication, logger: Logger): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const verifier = app.get(AccessTokenVerifier);
  const reader = app.get(LiveReader);
  await fastify.register(websocket, {
    options: {
      maxPayload: 1024,
      handleProtocols: (protocols: Set<string>) =>
        protocols.has(LIVE_SUBPROTOCOL) ? LIVE_SUBPROTOCOL : false,
    },
  });
  const problem = (request: FastifyRequest, reply: Parameters<typeof sendProblem>[2], error: ApiProblem) =>
    sendProblem(error, request, reply, logger, false);

  fastify.route<{ Querystring: { after?: string } }>({
    method: 'GET',
    url: LIVE_SOCKET_PATH,
    preValidation: async (request, reply) => {
      const token = tokenOf(request);
      if (!token)
        return problem(
          request,
          reply,
          new ApiProblem(401, 'unauthorized', 'A bearer access token is required.'),
        );
      let identity: VerifiedIdentity;
      try {
        identity = await verifier.verify(token);
      } catch (error) {
        if (error instanceof InvalidAccessToken)
          return problem(
            request,
            reply,
            new ApiProblem(401, 'unauthorized', 'The access token is not valid.'),
          );
        throw error;
      }
      (request as LiveRequest).identity = identity;
      if (!identity.permissions.includes('reports:read'))
        return problem(
          request,
          reply,
          new ApiProblem(403, 'forbidden', 'This needs the permission reports:read.'),
        );
    },
    handler: (request, reply) =>
      problem(
        request,
        reply,
        new ApiProblem(
          426,
          'upgrade_required',
          'This endpoint speaks WebSocket only (or use /api/v1/reporting/stream).',
          undefined,
          {
            upgrade: 'websocket',
          },
        ),
      ),
    wsHandler: async (socket, request) => {
      const tenantId = (request as LiveRequest).identity!.tenantId;
      let after = resumePoint(request.query.after) ?? (await reader.latest(tenantId));
      let busy = false;
      const poll = async () => {
        if (busy || socket.readyState !== socket.OPEN) return;
        busy = true;
        try {
          for (const row of await reader.after(tenantId, after)) {
            socket.send(JSON.stringify({ id: row.seq, event: row.kind, data: row.data }));
            after = BigInt(row.seq);
          }
        } catch {
          socket.close(1011, 'internal error');
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void poll(), LIVE_POLL_MS);
      const heartbeat = setInterval(() => socket.ping(), LIVE_HEARTBEAT_MS);
      const stop = () => {
        clearInterval(timer);
        clearInterval(heartbeat);
      };
      socket.on('close', stop);
      if (socket.readyState !== socket.OPEN) stop();
      // Messages from the client mean nothing here.
      socket.on('message', () => socket.close(1003, 'this stream only sends'));
      await poll();
    },
  });
}
