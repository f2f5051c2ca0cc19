import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { ApiProblem } from '@sextant/platform/http';
import type { NestFastifyApplication } from '@sextant/platform/service';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config';

const UNLIMITED = /^\/(health\/|metrics$)/;

/** Who a request is counted against: its credential (never stored in clear), else its address. */
export function rateLimitKey(request: FastifyRequest): string {
  const credential = request.headers.authorization ?? request.headers['x-api-key'];
  if (typeof credential === 'string' && credential.length > 0) {
    return `credential:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`;
  }
  return `ip:${request.ip}`;
}

/**
 * What every request meets at the door: security headers, CORS for the configured origins only,
 * compression, and a rate limit with `RateLimit-*` headers and a problem+json 429.
 */
export async function installEdgeProtection(
  app: NestFastifyApplication,
  config: GatewayConfig,
): Promise<void> {
  // The API serves JSON, and /docs needs Swagger UI's inline script: no CSP, the other headers on.
  await app.register(
    helmet as never,
    { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } } as never,
  );
  const origins = config.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins.length) {
    await app.register(
      cors as never,
      {
        origin: origins,
        credentials: true,
        exposedHeaders: [
          'x-request-id',
          'retry-after',
          'ratelimit-limit',
          'ratelimit-remaining',
          'ratelimit-reset',
        ],
      } as never,
    );
  }
  // Responses only: request bodies pass to the upstream as sent (still compressed), and the
  // upstream inflates them under its own limit; inflating here broke Content-Length (502).
  await app.register(
    compress as never,
    { encodings: ['br', 'gzip'], threshold: 1024, globalDecompression: false } as never,
  );
  await app.register(
    rateLimit as never,
    {
      global: true,
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_MS,
      enableDraftSpec: true,
      keyGenerator: rateLimitKey,
      allowList: (request: FastifyRequest) => UNLIMITED.test(request.url),
      errorResponseBuilder: (_request: FastifyRequest, context: { after: string; ttl: number }) =>
        new ApiProblem(429, 'rate_limited', `Too many requests: try again in ${context.after}.`, undefined, {
          'retry-after': String(Math.ceil(context.ttl / 1000)),
        }),
    } as never,
  );
}
