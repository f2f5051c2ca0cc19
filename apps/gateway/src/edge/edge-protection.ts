import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@sextant/platform/service';
import type { GatewayConfig } from '../config';

/**
 * What every response gets at the door: security headers, CORS for the configured origins only,
 * and compression of bodies worth compressing (rate limits and authentication: EdgeGuard).
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
  // Bodies under 1 KB gain nothing from compression and cost CPU on every request. Responses
  // only: request bodies pass to the upstream as sent (still compressed), and the upstream
  // inflates them under its own limit; inflating here broke Content-Length (502).
  await app.register(
    compress as never,
    { encodings: ['br', 'gzip'], threshold: 1024, globalDecompression: false } as never,
  );
}
