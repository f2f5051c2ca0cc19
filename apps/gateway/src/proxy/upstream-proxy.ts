import replyFrom from '@fastify/reply-from';
import { ApiProblem, sendProblem, setRouteLabel } from '@sextant/platform/http';
import type { Logger } from '@sextant/platform/logging';
import type { NestFastifyApplication } from '@sextant/platform/service';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { GatewayConfig } from '../config';
import { type EdgeGuard, edgeContextOf } from '../edge/edge-guard';
import { COMPRESSION_THRESHOLD_BYTES } from '../edge/edge-protection';
import { traceIdsOf, upstreamTraceHeaders } from '../edge/edge-tracing';
import { CircuitBreaker } from './circuit-breaker';
import type { RouteTimeouts } from './route-timeouts';
import { type Upstreams, UpstreamDispatcher } from './upstream-replicas';

const BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';
const CLIENT_GONE = 'SEXTANT_CLIENT_GONE';

function bodyTooLarge(limit: number) {
  return Object.assign(new Error(`The body is over the ${limit}-byte limit.`), {
    code: BODY_TOO_LARGE,
    statusCode: 413,
  });
}

/** Streams a body through, failing once it passes the limit (bodies without a Content-Length). */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.seen += chunk.length;
    callback(this.seen > this.limit ? bodyTooLarge(this.limit) : null, chunk);
  }
}

/**
 * A request body through a ByteLimit. A client that goes away before its body ends fails the
 * limited stream too, so the upstream request is abandoned at once instead of waiting, a
 * connection held, for a body that will not come until the upstream timeout.
 */
function limited(payload: Readable, limit: number): Readable {
  const limiter = new ByteLimit(limit);
  const clientGone = (cause?: unknown) =>
    limiter.destroy(
      Object.assign(new Error('The client went away before its body ended.', { cause }), {
        code: CLIENT_GONE,
      }),
    );
  payload.once('error', clientGone);
  payload.once('close', () => {
    if (!payload.readableEnded) clientGone();
  });
  return payload.pipe(limiter);
}

/**
 * Passes a stream through, joining the chunks that queue up while the reader is busy into one.
 * An upstream that streams a row per chunk (exports) otherwise reaches compression as tens of
 * thousands of tiny writes, each a zlib call and an undici pause and resume: a 73,000-row CSV export
 * took 14 s gzip-compressed against 2.2 s uncompressed. A reader that keeps up sees every chunk as is.
 * Only for bodies that may be compressed: with a stream between the upstream body and the response,
 * V8 kept every request's objects through two scavenges into the old generation (13-27 ms scavenges
 * every ~400 ms at 2,000 req/s, the gateway's p99).
 */
class ChunkCoalescer extends Transform {
  constructor() {
    super({ writableHighWaterMark: 256 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    callback(null, chunk);
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ) {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), chunks[0].encoding, callback);
  }
}

/**
 * `source` through a ChunkCoalescer. Joined by hand rather than with `stream.pipeline`, which makes
 * and aborts an AbortController (an Error with its stack trace) for every response it finishes.
 */
function coalesced(source: Readable): Readable {
  const coalescer = new ChunkCoalescer();
  source.once('error', (error) => coalescer.destroy(error));
  // Done, failed or abandoned by the client: the upstream body is released either way.
  coalescer.once('close', () => source.destroy());
  return source.pipe(coalescer);
}

async function readWhole(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const upstreamBodyFailed = (domain: string, cause: unknown) =>
  Object.assign(new ApiProblem(502, 'upstream_unavailable', `The ${domain} service's answer broke off.`), {
    cause,
  });

/** Whether the client takes a compressed body (a `q=0` is not parsed: it only costs a coalescer). */
const acceptsCompression = (request: FastifyRequest) =>
  /gzip|br|\*/i.test(String(request.headers['accept-encoding'] ?? ''));

/** Headers that carry identity between Sextant's services: a client may never set them. */
export const IDENTITY_HEADER = /^x-sextant-/i;

export function upstreamsFrom(config: GatewayConfig): Upstreams {
  const upstreams = {
    auth: config.AUTH_URL,
    ingestion: config.INGESTION_URL,
    attribution: config.ATTRIBUTION_URL,
    forecasting: config.FORECASTING_URL,
    reporting: config.REPORTING_URL,
  };
  for (const [domain, urls] of Object.entries(upstreams)) {
    const paths = new Set(urls.map((url) => new URL(url).pathname));
    if (paths.size > 1)
      throw new Error(`The ${domain} service's replica URLs differ in path (${[...paths].join(', ')}).`);
  }
  return upstreams;
}

export interface ProxyParts {
  guard: EdgeGuard;
  timeouts: RouteTimeouts;
}

/**
 * `/api/v1/<domain>/...` goes to the service that owns the domain, path and query unchanged, bodies
 * streamed both ways, once the EdgeGuard has let it in (before its body is read). The request id
 * and trace context go along; identity headers from the client are dropped, and an exchanged API
 * key goes upstream as its access token. Each upstream has a timeout (per route when configured)
 * and a circuit breaker; idempotent requests are retried when the connection fails. Every proxied
 * request leaves one JSON access-log line.
 */
export async function installUpstreamProxy(
  app: NestFastifyApplication,
  config: GatewayConfig,
  logger: Logger,
  exposeStack: boolean,
  { guard, timeouts }: ProxyParts,
) {
  const upstreams = upstreamsFrom(config);
  // Pooled keep-alive connections per upstream (node:http opened one per request).
  const dispatcher = new UpstreamDispatcher(upstreams, {
    connections: 128,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: config.UPSTREAM_TIMEOUT_MS,
    bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
  });
  const breakers = new Map(
    Object.keys(upstreams).map((domain) => [
      domain,
      new CircuitBreaker(config.BREAKER_FAILURE_THRESHOLD, config.BREAKER_OPEN_MS),
    ]),
  );
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(
    replyFrom as never,
    {
      undici: dispatcher,
      // One access-log line per request is written below; reply-from's own lines would double it.
      disableRequestLogging: true,
      retryMethods: ['GET', 'HEAD'],
      retriesCount: config.UPSTREAM_RETRIES,
      maxRetriesOn503: config.UPSTREAM_RETRIES,
    } as never,
  );
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > config.BODY_LIMIT_BYTES) return done(bodyTooLarge(config.BODY_LIMIT_BYTES), undefined);
    done(null, limited(payload, config.BODY_LIMIT_BYTES));
  });

  const forward = (request: FastifyRequest, reply: FastifyReply) => {
    const problem = (error: unknown, to: FastifyReply = reply) =>
      sendProblem(error, request, to, logger, exposeStack);
    const edge = edgeContextOf(request);
    const domain = (request.params as { domain: string }).domain;
    const base = upstreams[domain]?.[0];
    const breaker = breakers.get(domain);
    if (!base || !breaker) return problem(ApiProblem.notFound(`No API domain '${domain}'.`));
    const admitted = breaker.admit();
    if (!admitted.allowed) {
      return problem(
        new ApiProblem(
          503,
          'upstream_circuit_open',
          `The ${domain} service is failing; requests to it are paused.`,
          undefined,
          {
            'retry-after': String(Math.ceil(admitted.retryAfterMs / 1000)),
          },
        ),
      );
    }
    return reply.from(`${base}${request.url}`, {
      timeout: timeouts.for(domain, edge?.route),
      rewriteRequestHeaders: (_req, headers) => {
        const forwarded: Record<string, string | string[] | undefined> = {};
        for (const name in headers) if (!IDENTITY_HEADER.test(name)) forwarded[name] = headers[name];
        Object.assign(forwarded, upstreamTraceHeaders(request));
        forwarded['x-request-id'] = String(request.id);
        // The caller's address, for per-address limits upstream (the only x-sextant-* that passes).
        forwarded['x-sextant-client-ip'] = request.ip;
        if (edge?.upstreamAuthorization) {
          forwarded.authorization = edge.upstreamAuthorization;
          delete forwarded['x-api-key'];
        }
        return forwarded;
      },
      onResponse: (_request, replyToClient, response) => {
        if (response.statusCode >= 500) breaker.failed();
        else breaker.succeeded();
        const length = replyToClient.getHeader('content-length');
        const compressible = acceptsCompression(request);
        if (compressible && length !== undefined && Number(length) < COMPRESSION_THRESHOLD_BYTES) {
          // Compression takes any stream whatever its size: a body under its threshold goes whole,
          // as bytes, and uncompressed (a zlib stream per 100-byte answer cost the gateway ~0.5 ms of CPU).
          return void readWhole(response.stream).then(
            (body) => replyToClient.send(body),
            (error) => problem(upstreamBodyFailed(domain, error), replyToClient as unknown as FastifyReply),
          );
        }
        // A body of unknown length on its way to compression is worth coalescing; others go as they come.
        void replyToClient.send(
          compressible && length === undefined ? coalesced(response.stream) : response.stream,
        );
      },
      onError: (replyToClient, { error }) => {
        const to = replyToClient as unknown as FastifyReply;
        // reply-from wraps what the request failed with: the request body's own errors are the cause.
        const cause = (error as { cause?: Error }).cause ?? error;
        const code = (cause as { code?: string }).code;
        if (code === BODY_TOO_LARGE) return problem(cause, to);
        if (code === CLIENT_GONE) {
          // The client's doing, not the upstream's: not counted by the breaker (the answer goes nowhere).
          return problem(new ApiProblem(400, 'body_incomplete', 'The request body ended early.'), to);
        }
        breaker.failed();
        const timedOut = /timeout/i.test(error.message) || code === 'UND_ERR_HEADERS_TIMEOUT';
        problem(
          timedOut
            ? new ApiProblem(504, 'upstream_timeout', `The ${domain} service did not answer in time.`)
            : new ApiProblem(502, 'upstream_unavailable', `The ${domain} service could not be reached.`),
          to,
        );
      },
    });
  };
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await guard.admit(request, reply);
    } catch (error) {
      sendProblem(error, request, reply, logger, exposeStack);
      return reply;
    } finally {
      setRouteLabel(request, edgeContextOf(request)?.operation?.template ?? 'unmatched');
    }
  };
  const accessLog = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!logger.isLevelEnabled('info')) return;
    const edge = edgeContextOf(request);
    logger.info(
      {
        reqId: request.id,
        method: request.method,
        route: edge?.operation?.template ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        ip: request.ip,
        tenantId: edge?.tenantId,
        keyId: edge?.keyId,
        userAgent: request.headers['user-agent'],
        ...traceIdsOf(request),
      },
      'access',
    );
  };
  const options = { onRequest: admit, onResponse: accessLog };
  fastify.all('/api/v1/:domain', options, forward);
  fastify.all('/api/v1/:domain/*', options, forward);
}
