import type { OpenApiDocument } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { ContractValidator } from '@sextant/platform/http';
import type { FastifyRequest } from 'fastify';
import { auditEventFor } from './audit-trail';

const contract = new ContractValidator({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/api/v1/things/{thingId}': {
      delete: { operationId: 'deleteThing', responses: {} },
      get: { operationId: 'getThing', responses: {} },
    },
    '/api/v1/events': { post: { operationId: 'track', 'x-sextant-audit': 'denials', responses: {} } },
  },
} as OpenApiDocument);

const identity: VerifiedIdentity = {
  userId: '6f1f1d59-5a8e-4c43-9a55-5e0f7e2b9a10',
  subjectType: 'api_key',
  tenantId: '0b7d7c43-1f0e-4f5e-8f0b-1c1f4d1b8c11',
  permissions: ['events:write'],
  tokenId: 'j',
  expiresAt: new Date(Date.now() + 60_000),
};

const request = (method: string, withIdentity = true) =>
  ({
    method,
    url: '/api/v1/things/42?x=1',
    routeOptions: { url: '/api/v1/things/:thingId' },
    params: { thingId: '42' },
    headers: { 'x-sextant-client-ip': '203.0.113.7' },
    ip: '10.0.0.1',
    id: 'req-1',
    identity: withIdentity ? identity : undefined,
  }) as unknown as FastifyRequest & { identity?: VerifiedIdentity };

const options = { service: 'ingestion', mode: 'all' as const, contract };

describe('auditEventFor', () => {
  it('describes a successful state change with actor, operation, resource, request id and client address', () => {
    expect(auditEventFor(request('DELETE'), { statusCode: 204 }, options)).toMatchObject({
      tenantId: identity.tenantId,
      service: 'ingestion',
      action: 'deleteThing',
      outcome: 'success',
      actor: { type: 'api_key', id: identity.userId },
      resource: { type: '/api/v1/things/:thingId', id: '42' },
      requestId: 'req-1',
      ip: '203.0.113.7',
    });
  });

  it('records denials of reads too, and nothing for reads, failures or callers without identity', () => {
    expect(auditEventFor(request('GET'), { statusCode: 403 }, options)?.outcome).toBe('denied');
    expect(auditEventFor(request('GET'), { statusCode: 200 }, options)).toBeUndefined();
    expect(auditEventFor(request('DELETE'), { statusCode: 404 }, options)).toBeUndefined();
    expect(auditEventFor(request('DELETE', false), { statusCode: 401 }, options)).toBeUndefined();
  });

  it('skips the successes of an operation whose contract says `x-sextant-audit: denials`', () => {
    const track = (status: number) =>
      auditEventFor(
        { ...request('POST'), routeOptions: { url: '/api/v1/events' }, params: {} } as never,
        { statusCode: status },
        options,
      );
    expect(track(202)).toBeUndefined();
    expect(track(403)?.action).toBe('track');
  });

  it('in `denials` mode leaves successful changes to the service', () => {
    const denials = { ...options, mode: 'denials' as const };
    expect(auditEventFor(request('DELETE'), { statusCode: 204 }, denials)).toBeUndefined();
    expect(auditEventFor(request('DELETE'), { statusCode: 403 }, denials)?.action).toBe('deleteThing');
  });
});
