import { eventually, type RunningStack, startStack, testEnvironment } from '@sextant/testing';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The gateway alone in front of a stand-in upstream (a local HTTP server that echoes what it
 * receives, or never answers on /hang), to see what the door itself does.
 */
describe('gateway at the door (real process)', () => {
  const env = testEnvironment();
  let upstream: Server;
  let received: IncomingHttpHeaders[] = [];
  let stack: RunningStack;
  let gateway: string;

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      received.push(request.headers);
      if (request.url?.startsWith('/api/v1/attribution/hang')) return; // never answers
      if (request.url?.startsWith('/api/v1/attribution/fail')) {
        response.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"status":500}');
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ path: request.url, padding: 'x'.repeat(4096) }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    stack = await startStack(env, ['gateway'], {
      ATTRIBUTION_URL: upstreamUrl,
      UPSTREAM_TIMEOUT_MS: '500',
      UPSTREAM_RETRIES: '0',
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_OPEN_MS: '2000',
      RATE_LIMIT_MAX: '15',
      RATE_LIMIT_WINDOW_MS: '3000',
      CORS_ORIGINS: 'https://app.example.com',
    });
    gateway = stack.urls.gateway;
  });
  afterAll(async () => {
    await stack?.stop();
    upstream?.closeAllConnections();
    upstream?.close();
  });
  beforeEach(() => (received = []));

  const call = (path: string, init: RequestInit = {}) => fetch(`${gateway}${path}`, init);

  it('drops client-supplied identity headers and forwards request id and trace context', async () => {
    const response = await call('/api/v1/attribution/echo', {
      headers: {
        'x-sextant-tenant-id': 'someone-else',
        'x-sextant-permissions': 'everything',
        'x-request-id': 'door-1',
        authorization: 'Bearer a',
      },
    });
    expect(response.status).toBe(200);
    const [headers] = received;
    expect(headers['x-sextant-tenant-id']).toBeUndefined();
    expect(headers['x-sextant-permissions']).toBeUndefined();
    expect(headers['x-request-id']).toBe('door-1');
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('sets security headers and compresses large responses', async () => {
    const response = await call('/api/v1/attribution/echo', {
      headers: { 'accept-encoding': 'gzip', authorization: 'Bearer b' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as { path: string }).path).toBe('/api/v1/attribution/echo');
  });

  it('allows cross-origin requests from configured origins only', async () => {
    const allowed = await call('/api/v1/attribution/echo', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await call('/api/v1/attribution/echo', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits each credential, answers 429 with Retry-After and RateLimit headers, and resets after the window', async () => {
    const headers = { authorization: 'Bearer rate-limited' };
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await call('/api/v1/attribution/echo', { headers })).status);
    expect(statuses.slice(0, 15).every((s) => s === 200)).toBe(true);
    const limited = await call('/api/v1/attribution/echo', { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-limit')).toBe('15');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await limited.json()) as { code: string }).code).toBe('rate_limited');

    expect(
      (await call('/api/v1/attribution/echo', { headers: { authorization: 'Bearer someone-else' } })).status,
    ).toBe(200);
    expect((await call('/health/live')).status).toBe(200);
    await eventually(
      async () => (await call('/api/v1/attribution/echo', { headers })).status === 200,
      10_000,
      250,
    );
  });

  it('answers 504 when an upstream hangs, then opens the circuit and fails fast with 503', async () => {
    const headers = { authorization: 'Bearer breaker' };
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const response = await call('/api/v1/attribution/hang', { method: 'POST', headers });
      expect(response.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    const started = Date.now();
    const open = await call('/api/v1/attribution/echo', { headers });
    expect(open.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(200);
    expect(((await open.json()) as { code: string }).code).toBe('upstream_circuit_open');
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThan(0);
    // After the open period one trial goes through; its success closes the circuit.
    await eventually(
      async () => (await call('/api/v1/attribution/echo', { headers })).status === 200,
      10_000,
      250,
    );
  });

  it('counts requests per contract route in its metrics', async () => {
    await call('/api/v1/ingestion/pings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer metrics' },
      body: '{}',
    });
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toMatch(
      /http_server_request_duration_seconds_count\{service="gateway",method="POST",route="\/api\/v1\/ingestion\/pings",status="\d{3}"\} [1-9]/,
    );
    expect(metrics).not.toMatch(/route="\/api\/v1\/attribution\/echo"/);
  });

  it('answers malformed URLs and oversized headers with 4xx', async () => {
    expect((await call('/api/v1/%E0%A4%A')).status).toBeGreaterThanOrEqual(400);
    const big = await call('/api/v1/attribution/echo', {
      headers: { 'x-padding': 'x'.repeat(20_000), authorization: 'Bearer big' },
    });
    expect(big.status).toBeGreaterThanOrEqual(400);
    expect(big.status).toBeLessThan(500);
  });
});
