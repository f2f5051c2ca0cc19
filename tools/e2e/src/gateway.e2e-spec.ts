import { createLogger } from '@sextant/platform/logging';
import { createKafka, TopicNames } from '@sextant/platform/messaging';
import { eventually, type RunningStack, startStack, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { type StandInAuth, startStandInAuth } from './stand-in-auth';

const TENANT = randomUUID();
const OTHER_TENANT = randomUUID();
// Well-formed keys (checksums computed independently, see api-key-format.spec.ts).
const API_KEY = 'sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck39';
const OTHER_KEY = 'sxt_live_0123456789abcdefghijKLMNOPQRSTUV_3KpMnn';
const STREAMED_LINES = 50_000;

/**
 * The gateway alone in front of a stand-in upstream (a local HTTP server that echoes what it
 * receives, answers slowly on /slow, or never on /hang) and a stand-in auth service (JWKS and the
 * API key exchange), to see what the door itself does. Revocations travel through the real Kafka.
 */
describe('gateway at the door (real process)', () => {
  const env = testEnvironment();
  let upstream: Server;
  let auth: StandInAuth;
  let received: IncomingHttpHeaders[] = [];
  let onEndlessClosed = () => undefined as void;
  let onUploadStarted = () => undefined as void;
  let onUploadClosed = () => undefined as void;
  let stack: RunningStack;
  let gateway: string;
  let upstreamUrl: string;
  const bearer = async (tenantId = TENANT) => ({
    authorization: `Bearer ${await auth.token({ tenantId, permissions: ['reports:read'] })}`,
  });

  beforeAll(async () => {
    auth = await startStandInAuth();
    upstream = createServer((request, response) => {
      received.push(request.headers);
      if (request.url?.startsWith('/api/v1/attribution/hang')) return; // never answers
      if (request.url?.startsWith('/api/v1/attribution/slow')) {
        setTimeout(
          () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}'),
          1_500,
        );
        return;
      }
      if (request.url?.startsWith('/api/v1/attribution/rows')) {
        // A line per write, of unknown length: how exports stream.
        response.writeHead(200, { 'content-type': 'text/csv' });
        let line = 0;
        const more = () => {
          while (line < STREAMED_LINES)
            if (!response.write(`${line++},row\n`)) return response.once('drain', more);
          response.end();
        };
        more();
        return;
      }
      if (request.url?.startsWith('/api/v1/reporting/endless')) {
        // A stream that only ends when its reader goes away, as a live feed does.
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const ticks = setInterval(() => response.write('data: tick\n\n'), 20);
        response.once('close', () => {
          clearInterval(ticks);
          onEndlessClosed();
        });
        return;
      }
      if (request.url?.startsWith('/api/v1/reporting/upload')) {
        // Answers once the whole body has come.
        request.once('close', () => onUploadClosed());
        request.once('end', () => response.writeHead(200).end('{}'));
        request.resume();
        onUploadStarted();
        return;
      }
      if (request.url?.startsWith('/api/v1/attribution/sized')) {
        // An answer of known length, as a service's JSON answers are: ?bytes= of them.
        const bytes = Number(new URL(request.url, 'http://upstream').searchParams.get('bytes'));
        const body = JSON.stringify({ padding: 'x'.repeat(bytes - 14) });
        response
          .writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
          .end(body);
        return;
      }
      if (request.url?.startsWith('/api/v1/attribution/cut')) {
        // Promises 500 bytes, sends 10 and goes away.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': 500 });
        response.write('{"cut":"..', () => response.destroy());
        return;
      }
      if (request.url?.startsWith('/api/v1/attribution/fail')) {
        response.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"status":500}');
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ path: request.url, padding: 'x'.repeat(4096) }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    stack = await startStack(env, ['gateway'], {
      LOG_LEVEL: 'info',
      AUTH_URL: auth.url,
      ATTRIBUTION_URL: upstreamUrl,
      REPORTING_URL: upstreamUrl,
      UPSTREAM_TIMEOUT_MS: '30000',
      ROUTE_TIMEOUTS: JSON.stringify({ attribution: 500 }),
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
    await auth?.close();
  });
  beforeEach(() => (received = []));

  const call = (path: string, init: RequestInit = {}) => fetch(`${gateway}${path}`, init);

  it('drops client-supplied identity headers and forwards request id and trace context', async () => {
    const response = await call('/api/v1/attribution/echo', {
      headers: {
        'x-sextant-tenant-id': 'someone-else',
        'x-sextant-permissions': 'everything',
        'x-request-id': 'door-1',
        ...(await bearer()),
      },
    });
    expect(response.status).toBe(200);
    const [headers] = received;
    expect(headers['x-sextant-tenant-id']).toBeUndefined();
    expect(headers['x-sextant-permissions']).toBeUndefined();
    expect(headers['x-request-id']).toBe('door-1');
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it("continues the caller's trace: the upstream request is a child of the gateway's span", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await call('/api/v1/attribution/echo', {
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, ...(await bearer()) },
    });
    expect(response.status).toBe(200);
    const [, forwardedTrace, gatewaySpanId, flags] = String(received[0].traceparent).split('-');
    expect(forwardedTrace).toBe(traceId);
    expect(gatewaySpanId).toMatch(/^[0-9a-f]{16}$/);
    expect(gatewaySpanId).not.toBe(callerSpanId);
    expect(flags).toBe('01');
  });

  it('sets security headers and compresses large responses', async () => {
    const response = await call('/api/v1/attribution/echo', {
      headers: { 'accept-encoding': 'gzip', ...(await bearer()) },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as { path: string }).path).toBe('/api/v1/attribution/echo');
  });

  it('compresses an answer of known length from 1 KB, and sends a smaller one whole and as it is', async () => {
    const ownTenant = await bearer(randomUUID()); // not to spend the shared tenant's rate limit
    for (const [bytes, encoding] of [
      [1023, 'identity'],
      [1024, 'gzip'],
      [60, 'identity'],
    ] as const) {
      const response = await call(`/api/v1/attribution/sized?bytes=${bytes}`, {
        headers: { 'accept-encoding': 'gzip', ...ownTenant },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding') ?? 'identity').toBe(encoding);
      expect((await response.text()).length).toBe(bytes);
    }
    const cut = await call('/api/v1/attribution/cut', {
      headers: { 'accept-encoding': 'gzip', ...ownTenant },
    });
    expect(cut.status).toBe(502);
    expect(cut.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await cut.json()) as { detail: string }).detail).toContain('broke off');
  });

  it('streams a body of unknown length written a line at a time, compressed and whole', async () => {
    const expected = Array.from({ length: STREAMED_LINES }, (_, line) => `${line},row\n`).join('');
    for (const encoding of ['gzip', 'br', 'identity']) {
      const response = await call('/api/v1/attribution/rows', {
        headers: { 'accept-encoding': encoding, ...(await bearer()) },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding') ?? 'identity').toBe(encoding);
      expect(await response.text()).toBe(expected);
    }
  });

  // Compressed, the stream passes the gateway's coalescer; uncompressed, it goes to the client as is.
  it.each(['identity', 'gzip'])(
    'releases the upstream stream when the client goes away in the middle of it (%s)',
    async (encoding) => {
      const upstreamClosed = new Promise<string>((resolve) => (onEndlessClosed = () => resolve('closed')));
      const abandon = new AbortController();
      const response = await call('/api/v1/reporting/endless', {
        headers: { 'accept-encoding': encoding, ...(await bearer()) },
        signal: abandon.signal,
      });
      const first = await response.body!.getReader().read();
      expect(new TextDecoder().decode(first.value)).toContain('data: tick');
      abandon.abort();
      const stillOpen = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 5_000));
      await expect(Promise.race([upstreamClosed, stillOpen])).resolves.toBe('closed');
    },
  );

  /** A POST to the stand-in upstream's /upload through the gateway, its body sent by the test (no Content-Length). */
  const chunkedUpload = async () =>
    httpRequest({
      port: new URL(gateway).port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/api/v1/reporting/upload',
      headers: { ...(await bearer()), 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
    });

  it('abandons the upstream request when the client goes away in the middle of its body, and does not count it against the upstream', async () => {
    // Twice: with BREAKER_FAILURE_THRESHOLD 2, counting these as upstream failures would open the circuit.
    for (let attempt = 0; attempt < 2; attempt++) {
      const started = new Promise<void>((resolve) => (onUploadStarted = resolve));
      const upstreamClosed = new Promise<string>((resolve) => (onUploadClosed = () => resolve('closed')));
      const upload = await chunkedUpload();
      upload.on('error', () => undefined);
      upload.write('first,row\n');
      await started;
      upload.destroy();
      const stillOpen = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 5_000));
      await expect(Promise.race([upstreamClosed, stillOpen])).resolves.toBe('closed');
    }
    expect((await call('/api/v1/reporting/echo', { headers: await bearer() })).status).toBe(200);
  });

  it('answers 413 problem+json to a body of unknown length once it passes the limit, not counted against the upstream', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    for (let attempt = 0; attempt < 2; attempt++) {
      const request = await chunkedUpload();
      const answer = await new Promise<{ status?: number; type?: string; body: string }>(
        (resolve, reject) => {
          request.on('response', (response) => {
            let body = '';
            response.on('data', (data: Buffer) => (body += data.toString()));
            response.on('end', () => {
              resolve({ status: response.statusCode, type: response.headers['content-type'], body });
              request.destroy();
            });
          });
          request.on('error', reject);
          // 17 x 64 KiB, past the 1 MiB default limit, without a Content-Length; not ended, so that
          // no unread bytes are left to turn the gateway's close into a reset that loses the answer.
          for (let i = 0; i < 17; i++) request.write(chunk);
        },
      );
      expect(answer.status).toBe(413);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(answer.body).toContain('limit');
    }
    expect((await call('/api/v1/reporting/echo', { headers: await bearer() })).status).toBe(200);
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

  it('limits each tenant, answers 429 with Retry-After and RateLimit headers, and resets after the window', async () => {
    const headers = await bearer(randomUUID());
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

    expect((await call('/api/v1/attribution/echo', { headers: await bearer(randomUUID()) })).status).toBe(
      200,
    );
    expect((await call('/health/live')).status).toBe(200);
    await eventually(
      async () => (await call('/api/v1/attribution/echo', { headers })).status === 200,
      10_000,
      250,
    );
  });

  it('answers 504 when an upstream hangs past its route timeout, then opens the circuit and fails fast with 503', async () => {
    const headers = await bearer(randomUUID());
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
      headers: { 'content-type': 'application/json', ...(await bearer()) },
      body: '{}',
    });
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toMatch(
      /http_server_request_duration_seconds_count\{service="gateway",method="POST",route="\/api\/v1\/ingestion\/pings",status="\d{3}"\} [1-9]/,
    );
    expect(metrics).not.toMatch(/route="\/api\/v1\/attribution\/echo"/);
  });

  it('answers malformed URLs, oversized headers and bytes that are not HTTP with problem+json', async () => {
    const badUrl = await call('/api/v1/%E0%A4%A');
    expect(badUrl.status).toBe(400);
    expect(badUrl.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const big = await call('/api/v1/attribution/echo', {
      headers: { 'x-padding': 'x'.repeat(20_000), ...(await bearer()) },
    });
    expect(big.status).toBe(431);
    expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The gateway closes the socket after a parser error; without saying so, a keep-alive client
    // would send its next request down that socket and lose it.
    expect(big.headers.get('connection')).toBe('close');
    expect(((await big.json()) as { code: string }).code).toBe('headers_too_large');
    const garbage = await rawExchange(gateway, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(garbage).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(JSON.parse(garbage.split('\r\n\r\n')[1])).toMatchObject({
      status: 400,
      code: 'malformed_request',
    });
  });

  it('answers 401 problem+json at the door for a protected operation without a valid credential', async () => {
    const token = await auth.token({ tenantId: TENANT });
    for (const headers of [
      {},
      { authorization: 'Bearer not-a-token' },
      { authorization: `Bearer ${token.slice(0, -4)}AAAA` }, // signature broken
      { authorization: 'Basic YWxpY2U6c2VjcmV0' }, // alice:secret
      { 'x-api-key': 'sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbB_2qck39' }, // checksum off: no exchange
    ] as Record<string, string>[]) {
      const response = await call('/api/v1/reporting/pings/6f1c1f2e-4b9a-4b7e-9d62-1c0a2f6b3e11', {
        headers,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(received).toHaveLength(0);
    expect(auth.exchanges).not.toContain('sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbB_2qck39');
  });

  it('lets public operations through without a credential', async () => {
    const response = await call('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    // The stand-in auth answers 404 to everything but its JWKS and the exchange: it was reached.
    expect(response.status).toBe(404);
  });

  it('exchanges an API key (Basic, Bearer or X-API-Key) once and forwards the access token', async () => {
    auth.keys.set(API_KEY, { keyId: randomUUID(), tenantId: TENANT });
    const before = auth.exchanges.length;
    const forms = [
      { authorization: `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}` },
      { authorization: `Bearer ${API_KEY}` },
      { 'x-api-key': API_KEY },
    ];
    for (const headers of forms) {
      const response = await call('/api/v1/reporting/echo', { headers });
      expect(response.status).toBe(200);
    }
    expect(auth.exchanges.slice(before)).toEqual([API_KEY]);
    const tokens = new Set(received.map((h) => h.authorization));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^Bearer ey/);
    expect(received.every((h) => h['x-api-key'] === undefined)).toBe(true);
  });

  it('stops accepting a revoked API key within seconds of auth.api-key.revoked.v1', async () => {
    const keyId = randomUUID();
    auth.keys.set(OTHER_KEY, { keyId, tenantId: OTHER_TENANT });
    const headers = { 'x-api-key': OTHER_KEY };
    expect((await call('/api/v1/reporting/echo', { headers })).status).toBe(200);
    expect((await call('/api/v1/reporting/echo', { headers })).status).toBe(200); // from the cache
    auth.keys.delete(OTHER_KEY); // revoked at the auth service...
    const kafka = createKafka({
      brokers: env.brokers,
      clientId: 'gateway-e2e',
      logger: createLogger('gateway-e2e', 'silent'),
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: new TopicNames(env.topicPrefix).topic('auth.api-key.revoked.v1'),
      messages: [
        {
          key: OTHER_TENANT,
          value: JSON.stringify({
            tenantId: OTHER_TENANT,
            keyId,
            prefix: OTHER_KEY.slice(0, 13),
            revokedBy: null,
            revokedAt: new Date().toISOString(),
          }),
        },
      ],
    });
    await producer.disconnect();
    // ...and the gateway drops its cached token, so the next request is refused.
    const started = Date.now();
    await eventually(
      async () => (await call('/api/v1/reporting/echo', { headers })).status === 401,
      10_000,
      100,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('writes one JSON access-log line per proxied request', async () => {
    const response = await call('/api/v1/reporting/echo', {
      headers: { 'x-request-id': 'access-log-1', ...(await bearer()) },
    });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('x-process-time-ms'))).toBeGreaterThanOrEqual(0);
    // reply-from and others log with the request id too: find the access line itself.
    const accessLine = () =>
      stack.logs.gateway
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === 'access-log-1' && l.msg === 'access');
    await eventually(async () => accessLine() !== undefined, 5_000, 100);
    expect(accessLine()).toMatchObject({
      method: 'GET',
      route: 'unmatched',
      status: 200,
      tenantId: TENANT,
      ms: expect.any(Number),
    });
  });

  it('holds one combined limit across two gateway replicas sharing the PostgreSQL store', async () => {
    const storeUrl = new URL(env.adminUrl);
    storeUrl.pathname = `/${env.database}`;
    const shared = {
      AUTH_URL: auth.url,
      REPORTING_URL: upstreamUrl,
      RATE_LIMIT_STORE_URL: storeUrl.toString(),
      RATE_LIMIT_MAX: '20',
      RATE_LIMIT_WINDOW_MS: '3600000',
    };
    // One after the other: two cold starts at once can outlast the start-up wait on a busy machine.
    const replicas = [await startStack(env, ['gateway'], shared)];
    replicas.push(await startStack(env, ['gateway'], shared));
    try {
      const headers = await bearer(randomUUID());
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${replicas[i % 2].urls.gateway}/api/v1/reporting/echo`, { headers }).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });

  it('finishes a request in flight when it is stopped with SIGTERM', async () => {
    const draining = await startStack(env, ['gateway'], { AUTH_URL: auth.url, ATTRIBUTION_URL: upstreamUrl });
    const slow = fetch(`${draining.urls.gateway}/api/v1/attribution/slow`, { headers: await bearer() });
    await eventually(async () => received.length > 0, 5_000, 20); // the upstream has it
    const stopped = draining.stop(); // SIGTERM while the upstream takes 1.5 s
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ slow: true });
    await stopped;
  });
});

/** Sends raw bytes to an HTTP server and returns everything it answers until it closes. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
  });
}
