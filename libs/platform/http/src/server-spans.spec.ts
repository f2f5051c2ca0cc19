import {
  currentTraceHeaders,
  readSpanFile,
  startTelemetry,
  stopTelemetry,
} from '@sextant/platform/telemetry';
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installServerSpans } from './server-spans';

describe('server spans', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'server-spans-')), 'spans.jsonl');
  const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpan = '00f067aa0ba902b7';
  const app = Fastify();
  let seenInHandler: Record<string, string> = {};

  beforeAll(async () => {
    startTelemetry('probe', { OTEL_TRACES_FILE: file });
    installServerSpans(app);
    app.get('/things/:id', async () => {
      await sleep(5);
      seenInHandler = currentTraceHeaders();
      return { ok: true };
    });
    app.get('/broken', async () => {
      throw new Error('broken');
    });
    app.get('/health/live', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await stopTelemetry();
  });

  const spans = () => readSpanFile(file);

  it("continues the caller's trace, is the active span in the handler after an await, and is named after the route", async () => {
    const response = await app.inject({
      url: '/things/42?x=1',
      headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` },
    });
    expect(response.statusCode).toBe(200);
    const span = spans().find((s) => s.name === 'GET /things/:id');
    expect(span).toMatchObject({ traceId: callerTrace, parentSpanId: callerSpan });
    expect(span?.attributes).toMatchObject({ 'http.route': '/things/:id', 'http.response.status_code': 200 });
    expect(seenInHandler.traceparent).toBe(`00-${callerTrace}-${span?.spanId}-01`);
  });

  it('marks a 5xx answer as an error and leaves health probes untraced', async () => {
    expect((await app.inject({ url: '/broken' })).statusCode).toBe(500);
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    const names = spans().map((s) => s.name);
    expect(spans().find((s) => s.name === 'GET /broken')?.status).toBe(2);
    expect(names.some((name) => name.includes('health'))).toBe(false);
  });
});
