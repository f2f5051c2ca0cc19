import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import type { OpenApiDocument } from '@sextant/contracts';
import { commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';
import { eventually, freePort, serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { runService, type NestFastifyApplication } from './service';

// A small service built in-process on the real platform: Fastify, contract validation, problem
// details, health against the real PostgreSQL and Kafka, metrics, docs.
const contract: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'probe', version: '1' },
  paths: {
    '/health/live': { get: { responses: { '200': { description: 'ok' } } } },
    '/health/ready': { get: { responses: { '200': { description: 'ok' } } } },
    '/metrics': { get: { responses: { '200': { description: 'ok' } } } },
    '/api/v1/probe/echo': {
      post: {
        operationId: 'echo',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['word'],
                properties: { word: { type: 'string', maxLength: 10 } },
              },
            },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
    '/api/v1/probe/broken': {
      get: { operationId: 'broken', responses: { '500': { description: 'always' } } },
    },
  },
};

@Controller('api/v1/probe')
class ProbeController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: { word: string }) {
    return { word: body.word };
  }

  @Get('broken')
  broken(): never {
    throw new Error('secret internals: password=hunter2');
  }
}

@Controller('api/v1/probe')
class UndocumentedController {
  @Get('hidden')
  hidden() {
    return {};
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

@Module({ controllers: [UndocumentedController] })
class UndocumentedModule {}

describe('runService (in-process, real PostgreSQL and Kafka)', () => {
  const testEnv = testEnvironment();
  let app: NestFastifyApplication;
  let base: string;

  const configFor = async () =>
    loadConfig(
      { ...commonConfig, ...databaseConfig, PORT: env.int({ doc: 'port' }) },
      {
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DATABASE_URL: serviceUrls(testEnv, 'reporting').appUrl,
        KAFKA_BROKERS: testEnv.brokers.join(','),
        KAFKA_TOPIC_PREFIX: `${testEnv.topicPrefix}svc-${randomUUID().slice(0, 8)}.`,
      },
    );

  beforeAll(async () => {
    const config = await configFor();
    app = await runService(
      { name: 'reporting', config, contract, database: { entities: [], migrations: [] } },
      [ProbeModule],
    );
    base = `http://127.0.0.1:${config.PORT}`;
  });
  afterAll(() => app?.close());

  it('reports ready when its database and Kafka answer', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.checks.database.status).toBe('up');
    expect(body.checks.kafka.status).toBe('up');
  });

  it('serves its contract, docs and metrics', async () => {
    expect(await (await fetch(`${base}/openapi.json`)).json()).toEqual(contract);
    expect(await (await fetch(`${base}/docs`)).text()).toContain('swagger-ui');
    await fetch(`${base}/api/v1/probe/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"word":"hi"}',
    });
    const counted =
      /http_server_request_duration_seconds_count\{service="reporting",method="POST",route="\/api\/v1\/probe\/echo",status="200"\} [1-9]/;
    // The histogram is updated once the response has gone out, so poll briefly.
    await eventually(async () => counted.test(await (await fetch(`${base}/metrics`)).text()), 5_000);
  });

  it('validates requests against the contract and names the offending fields', async () => {
    const ok = await fetch(`${base}/api/v1/probe/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"word":"hi"}',
    });
    expect(await ok.json()).toEqual({ word: 'hi' });
    const bad = await fetch(`${base}/api/v1/probe/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"word":"much too long","x":1}',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await bad.json()) as { errors: unknown[] }).errors).toEqual([
      { field: '/body/x', message: 'is not allowed' },
      { field: '/body/word', message: 'must NOT have more than 10 characters' },
    ]);
  });

  it('answers an unexpected error with a 500 that reveals nothing but an error id', async () => {
    const response = await fetch(`${base}/api/v1/probe/broken`, { headers: { 'x-request-id': 'probe-1' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('probe-1');
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({
      status: 500,
      requestId: 'probe-1',
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('replaces a hostile request id', async () => {
    const response = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to start with a route its contract does not describe', async () => {
    const config = await configFor();
    await expect(
      runService({ name: 'reporting', config, contract, database: { entities: [], migrations: [] } }, [
        ProbeModule,
        UndocumentedModule,
      ]),
    ).rejects.toThrow('routes missing from the reporting contract: GET /api/v1/probe/hidden');
  });
});
