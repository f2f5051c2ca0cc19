import { metrics } from '@opentelemetry/api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSpanFile } from './json-lines-exporter';
import {
  contextFromHeaders,
  currentTraceHeaders,
  inSpan,
  SpanKind,
  startServerSpan,
  startTelemetry,
  stopTelemetry,
  traceHeadersOf,
} from './telemetry';

describe('telemetry', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'telemetry-')), 'spans.jsonl');

  beforeAll(() => startTelemetry('probe', { OTEL_TRACES_FILE: file }));
  afterAll(() => stopTelemetry());

  const spans = () => readSpanFile(file);

  it('carries a trace across a hop through its W3C headers, and records spans as JSON lines', async () => {
    let carried: Record<string, string> = {};
    await inSpan('produce', { kind: SpanKind.PRODUCER }, async () => {
      carried = currentTraceHeaders();
    });
    expect(carried.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await inSpan(
      'consume',
      { kind: SpanKind.CONSUMER, parent: contextFromHeaders(carried) },
      async () => undefined,
    );

    const [produce, consume] = spans().filter((s) => s.name === 'produce' || s.name === 'consume');
    expect(produce.service).toBe('probe');
    expect(consume.traceId).toBe(produce.traceId);
    expect(consume.parentSpanId).toBe(produce.spanId);
    expect(carried.traceparent).toBe(`00-${produce.traceId}-${produce.spanId}-01`);
  });

  it('marks a failing span as an error and rethrows', async () => {
    await expect(inSpan('fails', {}, async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    expect(spans().find((s) => s.name === 'fails')?.status).toBe(2);
  });

  it("makes a server span that continues the caller's trace without being the active span", () => {
    const caller = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
    const span = startServerSpan('GET /thing', {
      traceparent: `00-${caller.traceId}-${caller.spanId}-01`,
    });
    expect(currentTraceHeaders()).toEqual({});
    const forwarded = traceHeadersOf(span);
    span.end();

    const server = spans().find((s) => s.name === 'GET /thing');
    expect(server?.traceId).toBe(caller.traceId);
    expect(server?.parentSpanId).toBe(caller.spanId);
    expect(forwarded.traceparent).toBe(`00-${caller.traceId}-${server?.spanId}-01`);
  });

  it('starts a new trace for a caller without one', () => {
    const span = startServerSpan('GET /untraced', {});
    const { traceparent } = traceHeadersOf(span);
    span.end();
    const server = spans().find((s) => s.name === 'GET /untraced');
    expect(server?.parentSpanId).toBeUndefined();
    expect(traceparent).toBe(`00-${server?.traceId}-${server?.spanId}-01`);
  });

  it('has no trace headers outside a span', () => {
    expect(currentTraceHeaders()).toEqual({});
  });

  it('builds no OpenTelemetry metrics pipeline (metrics are Prometheus ones)', () => {
    // The API's no-op provider hands out no-op instruments; an SDK provider would record.
    const counter = metrics.getMeterProvider().getMeter('probe').createCounter('probe_total');
    expect(counter.constructor.name).toBe('NoopCounterMetric');
  });
});
