import { serverSpanOf } from '@sextant/platform/http';
import { traceHeadersOf } from '@sextant/platform/telemetry';
import type { FastifyRequest } from 'fastify';

/** The trace headers that make an upstream request a child of this request's server span. */
export const upstreamTraceHeaders = (request: FastifyRequest): Record<string, string> => {
  const span = serverSpanOf(request);
  return span ? traceHeadersOf(span) : {};
};

/** The request's trace and span ids, for its log lines. */
export const traceIdsOf = (request: FastifyRequest): { trace_id?: string; span_id?: string } => {
  const context = serverSpanOf(request)?.spanContext();
  return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
};
