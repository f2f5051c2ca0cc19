import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@sextant/platform/service';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config';

/** What helmet 8 sends by default, minus Content-Security-Policy, with CORP same-site. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

/** Bodies under 1 KB gain nothing from compression and cost CPU on every request. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * What every response gets at the door: security headers, CORS for the configured origins only,
 * and compression of bodies worth compressing (rate limits and authentication: EdgeGuard).
 */
export async function installEdgeProtection(
  app: NestFastifyApplication,
  config: GatewayConfig,
): Promise<void> {
  // Helmet's headers with CSP off (the API serves JSON; /docs needs Swagger UI's inline script),
  // set as one constant object per response instead of a dozen middlewares per request.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      void reply.headers(SECURITY_HEADERS);
      done();
    });
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
  // Request bodies go upstream as sent (with their Content-Encoding): no decompression hook here.
  await app.register(
    compress as never,
    {
      encodings: ['br', 'gzip'],
      threshold: COMPRESSION_THRESHOLD_BYTES,
      globalDecompression: false,
    } as never,
  );
}
