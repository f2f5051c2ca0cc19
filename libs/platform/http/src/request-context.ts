import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Histogram } from 'prom-client';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const routeLabels = new WeakMap<FastifyRequest, string>();

/**
 * Names the route a request is counted under in metrics, for handlers that serve many routes
 * (the gateway's proxy labels by contract operation, e.g. `/api/v1/reporting/pings/{pingId}`).
 */
export function setRouteLabel(request: FastifyRequest, label: string): void {
  routeLabels.set(request, label);
}

/** Accepts a well-formed X-Request-ID from the caller, otherwise mints one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Per-request plumbing on the Fastify instance: X-Request-ID and X-Process-Time-Ms on every
 * response, and the request-duration histogram by route template (never by raw URL, which would
 * let a client create unbounded label values).
 */
export function installRequestHooks(
  fastify: FastifyInstance<RawServerDefault>,
  duration: Histogram<'method' | 'route' | 'status'>,
) {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onSend', async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    void reply.header('x-process-time-ms', reply.elapsedTime.toFixed(2));
    return payload;
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = routeLabels.get(request) ?? request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
