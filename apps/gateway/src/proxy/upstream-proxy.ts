import replyFrom from '@fastify/reply-from';
import { ApiProblem, sendProblem } from '@sextant/platform/http';
import type { Logger } from '@sextant/platform/logging';
import type { NestFastifyApplication } from '@sextant/platform/service';
import { currentTraceHeaders } from '@sextant/platform/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config';

/** Headers that carry identity between Sextant's services: a client may never set them. */
const IDENTITY_HEADER = /^x-sextant-/i;

export function upstreamsFrom(config: GatewayConfig): Record<string, string> {
  return {
    auth: config.AUTH_URL,
    ingestion: config.INGESTION_URL,
    attribution: config.ATTRIBUTION_URL,
    forecasting: config.FORECASTING_URL,
    reporting: config.REPORTING_URL,
  };
}

/**
 * `/api/v1/<domain>/...` goes to the service that owns the domain, path and query unchanged, bodies
 * streamed both ways. The request id and trace context go along; identity headers from the
 * client are dropped.
 */
export async function installUpstreamProxy(
  app: NestFastifyApplication,
  config: GatewayConfig,
  logger: Logger,
  exposeStack: boolean,
) {
  const upstreams = upstreamsFrom(config);
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(
    replyFrom as never,
    { http: { requestOptions: { timeout: config.UPSTREAM_TIMEOUT_MS } } } as never,
  );
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  const forward = (request: FastifyRequest, reply: FastifyReply) => {
    const domain = (request.params as { domain: string }).domain;
    const base = upstreams[domain];
    if (!base)
      return sendProblem(
        ApiProblem.notFound(`No API domain '${domain}'.`),
        request,
        reply,
        logger,
        exposeStack,
      );
    return reply.from(`${base}${request.url}`, {
      rewriteRequestHeaders: (_req, headers) => {
        const forwarded: Record<string, string | string[] | undefined> = {};
        for (const [name, value] of Object.entries(headers))
          if (!IDENTITY_HEADER.test(name)) forwarded[name] = value;
        return { ...forwarded, ...currentTraceHeaders(), 'x-request-id': String(request.id) };
      },
      onError: (replyToClient, { error }) => {
        const timedOut =
          /timeout/i.test(error.message) || (error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
        const problem = timedOut
          ? new ApiProblem(504, 'upstream_timeout', `The ${domain} service did not answer in time.`)
          : new ApiProblem(502, 'upstream_unavailable', `The ${domain} service could not be reached.`);
        sendProblem(problem, request, replyToClient as unknown as FastifyReply, logger, exposeStack);
      },
    });
  };
  fastify.all('/api/v1/:domain', forward);
  fastify.all('/api/v1/:domain/*', forward);
}
