import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { JsonLinesSpanExporter } from './json-lines-exporter';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry. Call it before anything else is imported (see each app's main.ts), so the
 * HTTP and pg instrumentations patch their modules. Incoming requests get their server spans from
 * the service itself (startServerSpan, installServerSpans in the http library), not from the HTTP
 * instrumentation, which traces outgoing requests only. Spans go to OTLP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set and to a JSON-lines file when OTEL_TRACES_FILE is set;
 * context is propagated (W3C traceparent) either way. OTEL_SDK_DISABLED=true turns it all off.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk || env.OTEL_SDK_DISABLED === 'true') return;
  const processors: SpanProcessor[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if (env.OTEL_TRACES_FILE)
    processors.push(new SimpleSpanProcessor(new JsonLinesSpanExporter(env.OTEL_TRACES_FILE, serviceName)));
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: processors,
    // Metrics are Prometheus' (prom-client, /metrics) and logs pino's: without these two the SDK
    // would build an OTLP metrics and logs pipeline by default, record an HTTP duration
    // histogram on every request, and push it to a collector that is not there.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

/** The W3C traceparent of the active span, to store with an event (outbox) or forward. */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Context continued from carried headers (traceparent), e.g. of a Kafka message. */
export function contextFromHeaders(headers: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

const tracer = () => trace.getTracer('sextant');

/**
 * A server span continuing the trace its caller sent (W3C traceparent in `headers`), not made the
 * active one (withActiveSpan does that for a stretch of work). The caller ends it.
 */
export function startServerSpan(
  name: string,
  headers: Record<string, string | string[] | undefined>,
  attributes?: Record<string, string | number | boolean>,
): Span {
  return tracer().startSpan(
    name,
    { kind: SpanKind.SERVER, attributes },
    propagation.extract(ROOT_CONTEXT, headers),
  );
}

/** Runs fn with `span` active: what fn starts, at once or later, is its child. */
export function withActiveSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** The W3C trace headers that make the next hop a child of `span`. */
export function traceHeadersOf(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier;
}

/** Runs fn inside a new span (child of `parent`, or of the active context), recording failures. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind, SpanStatusCode, type Span };
