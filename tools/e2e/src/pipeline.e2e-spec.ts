import {
  authOpenApiDocument,
  attributionOpenApiDocument,
  forecastingOpenApiDocument,
  gatewayOpenApiDocument,
  ingestionOpenApiDocument,
  type OpenApiDocument,
  reportingOpenApiDocument,
} from '@sextant/contracts';
import {
  ContractClient,
  eventually,
  postOversized,
  type RunningStack,
  type ServiceName,
  startStack,
  type SignedUpOwner,
  signUp,
  testEnvironment,
} from '@sextant/testing';
import { readSpanFile } from '@sextant/platform/telemetry';
import { createSextantClient } from '@sextant/sdk';
import { randomUUID } from 'node:crypto';

const contracts: Record<ServiceName, OpenApiDocument> = {
  gateway: gatewayOpenApiDocument,
  auth: authOpenApiDocument,
  ingestion: ingestionOpenApiDocument,
  attribution: attributionOpenApiDocument,
  forecasting: forecastingOpenApiDocument,
  reporting: reportingOpenApiDocument,
};

describe('the whole stack through the gateway (real processes, PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;

  let owner: SignedUpOwner;

  beforeAll(async () => {
    stack = await startStack(env);
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    owner = await signUp(stack.urls.gateway);
  });
  afterAll(() => stack?.stop());

  it.each(Object.keys(contracts) as ServiceName[])(
    '%s serves health, metrics and its contract as documented',
    async (service) => {
      const client = new ContractClient(stack.urls[service], contracts[service]);
      expect((await client.request('GET', '/health/live')).status).toBe(200);
      const ready = await client.request<{ status: string; checks: Record<string, { status: string }> }>(
        'GET',
        '/health/ready',
      );
      expect(ready.status).toBe(200);
      expect(Object.keys(ready.body.checks).sort()).toEqual(
        service === 'gateway' ? ['api-key-revocations', 'kafka'] : ['database', 'kafka'],
      );
      const metrics = await client.request<string>('GET', '/metrics');
      expect(metrics.body).toContain('process_cpu_user_seconds_total');
      expect(metrics.body).toContain(`service="${service}"`);

      const served = await (await fetch(`${stack.urls[service]}/openapi.json`)).json();
      expect(served).toEqual(contracts[service]);
      const docs = await fetch(`${stack.urls[service]}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
    },
  );

  it('carries a ping from the gateway through ingestion, the outbox and Kafka to reporting, in one trace', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const recorded = await api.request<{ pingId: string; recordedAt: string; tenantId: string }>(
      'POST',
      '/api/v1/ingestion/pings',
      {
        body: { note: 'e2e' },
        headers: { 'x-request-id': requestId, ...owner.headers },
      },
    );
    expect(recorded.status).toBe(202);
    expect(recorded.body.tenantId).toBe(owner.tenantId);
    expect(recorded.headers.get('x-request-id')).toBe(requestId);
    expect(Number(recorded.headers.get('x-process-time-ms'))).toBeGreaterThan(0);

    const arrival = await eventually(async () => {
      const response = await api.request<{ arrivedAt: string; recordedAt: string; note: string }>(
        'GET',
        '/api/v1/reporting/pings/{pingId}',
        { params: { pingId: recorded.body.pingId }, headers: owner.headers },
      );
      return response.status === 200 ? response.body : undefined;
    });
    expect(arrival.note).toBe('e2e');
    expect(Date.parse(arrival.arrivedAt)).toBeGreaterThanOrEqual(Date.parse(arrival.recordedAt));

    const stranger = await signUp(stack.urls.gateway, 'Another shop');
    const otherTenant = await api.request('GET', '/api/v1/reporting/pings/{pingId}', {
      params: { pingId: recorded.body.pingId },
      headers: stranger.headers,
    });
    expect(otherTenant.status).toBe(404);
    const anonymous = await api.request('GET', '/api/v1/reporting/pings/{pingId}', {
      params: { pingId: recorded.body.pingId },
    });
    expect(anonymous.status).toBe(401);

    const trace = await eventually(async () => {
      const spans = readSpanFile(stack.tracesFile);
      const consumed = spans.find(
        (s) => s.service === 'reporting' && s.name === 'ingestion.ping.recorded.v1 process',
      );
      const sameTrace = spans.filter((s) => s.traceId === consumed?.traceId);
      const services = new Set(sameTrace.map((s) => s.service));
      return ['gateway', 'ingestion', 'reporting'].every((name) => services.has(name))
        ? sameTrace
        : undefined;
    });
    // (auth may appear too: the first request makes ingestion fetch the JWKS within the trace)
    const services = new Set(trace.map((s) => s.service));
    expect([...services].filter((s) => s !== 'auth').sort()).toEqual(['gateway', 'ingestion', 'reporting']);
    const root = trace.filter((s) => !s.parentSpanId || !trace.some((p) => p.spanId === s.parentSpanId));
    expect(root).toHaveLength(1);
    expect(root[0].service).toBe('gateway');
  });

  it('answers bad input with problem+json naming what is wrong', async () => {
    const headers = owner.headers;
    const malformed = await api.request<{ code: string; status: number }>('POST', '/api/v1/ingestion/pings', {
      rawBody: '{"note": ',
      headers,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const unknownField = await api.request<{ errors: { field: string }[] }>(
      'POST',
      '/api/v1/ingestion/pings',
      { body: { note: 'x', admin: true }, headers },
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ field: '/body/admin', message: 'is not allowed' }]);

    const wrongType = await api.request<{ errors: { field: string }[] }>('POST', '/api/v1/ingestion/pings', {
      body: { note: 42 },
      headers,
    });
    expect(wrongType.body.errors.map((e) => e.field)).toEqual(['/body/note']);

    const huge = await postOversized(
      `${stack.urls.gateway}/api/v1/ingestion/pings`,
      JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }),
      headers,
    );
    expect(huge.status).toBe(413);
    expect(huge.contentType).toMatch(/^application\/problem\+json/);

    const text = await api.request('POST', '/api/v1/ingestion/pings', {
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain', ...headers },
    });
    expect(text.status).toBe(415);

    // At the service itself the access guard comes before the contract: a stranger learns nothing of it.
    const strangerAtService = await fetch(`${stack.urls.ingestion}/api/v1/ingestion/pings`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(strangerAtService.status).toBe(401);

    const badId = await api.request<{ errors: { field: string }[] }>(
      'GET',
      '/api/v1/reporting/pings/{pingId}',
      { params: { pingId: 'not-a-uuid' }, headers },
    );
    expect(badId.status).toBe(400);
    expect(badId.body.errors.map((e) => e.field)).toEqual(['/path/pingId']);

    // A path outside the contract is not found for a caller with a credential; a stranger gets
    // 401 under /api/v1 (the gateway does not tell strangers which paths exist).
    for (const path of ['/api/v1/nowhere/x', '/api/v1/ingestion/nothing-here', '/nothing']) {
      const response = await fetch(`${stack.urls.gateway}${path}`, { headers: owner.headers });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const stranger = await fetch(`${stack.urls.gateway}/api/v1/ingestion/nothing-here`);
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('is reachable through the typed SDK partners use', async () => {
    const sextant = createSextantClient({ baseUrl: stack.urls.gateway, accessToken: owner.accessToken });
    const { data, error, response } = await sextant.POST('/api/v1/ingestion/pings', {
      body: { note: 'sdk' },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(202);
    expect(data?.tenantId).toBe(owner.tenantId);
    const rejected = await sextant.POST('/api/v1/ingestion/pings', { body: { note: 'x'.repeat(300) } });
    expect(rejected.response.status).toBe(400);
    expect(rejected.error?.errors?.[0]?.field).toBe('/body/note');
    const anonymous = await createSextantClient({ baseUrl: stack.urls.gateway }).POST(
      '/api/v1/ingestion/pings',
      { body: {} },
    );
    expect(anonymous.response.status).toBe(401);
  });

  it('drains and exits cleanly on SIGTERM, and serves again after a restart', async () => {
    await stack.restart('ingestion', 'SIGTERM');
    const recorded = await api.request('POST', '/api/v1/ingestion/pings', {
      body: {},
      headers: owner.headers,
    });
    expect(recorded.status).toBe(202);
  });
});
