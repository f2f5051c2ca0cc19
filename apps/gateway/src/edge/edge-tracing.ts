import {
  type Span,
  SpanStatusCode,
  startServerSpan,
  traceHeadersOf,
  UNTRACED_PATHS,
} from '@sextant/platform/telemetry';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { edgeContextOf } from './edge-guard';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One server span per request, continuing the caller's trace, ended with the response and named
 * after the contract's route. The gateway makes these itself instead of OpenTelemetry's HTTP
 * instrumentation (main.ts turns that off), so the span is handed on explicitly: upstream request
 * headers and the access log take it from here.
 */
export function installEdgeTracing(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    if (!UNTRACED_PATHS.test(request.url)) {
      spans.set(
        request,
        startServerSpan(request.method, request.headers, {
          'http.request.method': request.method,
          'url.path': request.url.split('?', 1)[0],
        }),
      );
    }
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const span = spans.get(request);
    if (span) {
      const template = edgeContextOf(request)?.operation?.template;
      if (template) span.updateName(`${request.method} ${template}`).setAttribute('http.route', template);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/** The trace headers that make an upstream request a child of this request's span. */
export const upstreamTraceHeaders = (request: FastifyRequest): Record<string, string> => {
  const span = spans.get(request);
  return span ? traceHeadersOf(span) : {};
};

/** The request's trace and span ids, for its log lines. */
export const traceIdsOf = (request: FastifyRequest): { trace_id?: string; span_id?: string } => {
  const context = spans.get(request)?.spanContext();
  return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
};
