import type { Logger } from '@sextant/platform/logging';
import { type IncomingMessage, request as httpRequest, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { IDENTITY_HEADER } from './upstream-proxy';
import { inTurn, type Upstreams } from './upstream-replicas';

/** The WebSocket routes of the API and the upstream that serves each. */
const SOCKET_ROUTES: Record<string, 'reporting'> = { '/api/v1/reporting/live': 'reporting' };

function rawResponseHead(status: number, message: string, rawHeaders: string[]): string {
  let head = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

function refuse(socket: Duplex, status: number, title: string, detail: string): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * WebSocket upgrades of the API's socket routes go through to their service: the handshake request
 * is forwarded (identity headers from the client dropped, the request id kept), and once the
 * service has switched protocols the two connections are joined byte for byte. The service checks
 * the access token itself (an `Authorization` header or a `bearer.<token>` subprotocol) and answers
 * a refused handshake with its problem, which is relayed as is. Other upgrades get 404.
 */
export function installWebSocketPassThrough(server: Server, upstreams: Upstreams, logger: Logger): void {
  const replicaOf = Object.fromEntries(
    Object.entries(upstreams).map(([domain, urls]) => [domain, inTurn(urls)]),
  );
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0];
    const domain = SOCKET_ROUTES[path];
    if (!domain) return refuse(socket, 404, 'Not Found', `${path} has no WebSocket endpoint.`);
    const upstream = new URL(replicaOf[domain]());
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !IDENTITY_HEADER.test(name)),
    );
    const forwarded = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: 'GET',
      path: request.url,
      headers: { ...headers, host: upstream.host },
    });
    forwarded.on('upgrade', (response, upstreamSocket, upstreamHead) => {
      socket.write(rawResponseHead(101, 'Switching Protocols', response.rawHeaders));
      if (upstreamHead.length) socket.write(upstreamHead);
      if (head.length) upstreamSocket.write(head);
      upstreamSocket.pipe(socket).pipe(upstreamSocket);
      const close = () => {
        socket.destroy();
        upstreamSocket.destroy();
      };
      socket.on('error', close).on('close', close);
      upstreamSocket.on('error', close).on('close', close);
    });
    forwarded.on('response', (response) => {
      socket.write(
        rawResponseHead(response.statusCode ?? 502, response.statusMessage ?? '', response.rawHeaders),
      );
      response.pipe(socket);
    });
    forwarded.on('error', (error) => {
      logger.warn({ err: error, upstream: domain }, 'WebSocket upstream unreachable');
      refuse(socket, 502, 'Bad Gateway', `The ${domain} service could not be reached.`);
    });
    socket.on('error', () => forwarded.destroy());
    forwarded.end();
  });
}
