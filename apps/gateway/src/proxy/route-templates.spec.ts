import { gatewayOpenApiDocument, type OpenApiDocument } from '@sextant/contracts';
import { RouteTemplates } from './route-templates';

describe('RouteTemplates', () => {
  it('maps request paths of the merged contract to their templates', () => {
    const routes = new RouteTemplates(gatewayOpenApiDocument);
    expect(
      routes.match('GET', '/api/v1/reporting/pings/6f1c1f2e-4b9a-4b7e-9d62-1c0a2f6b3e11?tenantId=x'),
    ).toBe('/api/v1/reporting/pings/{pingId}');
    expect(routes.match('POST', '/api/v1/ingestion/pings')).toBe('/api/v1/ingestion/pings');
    expect(routes.match('DELETE', '/api/v1/ingestion/pings')).toBeUndefined();
    expect(routes.match('GET', '/api/v1/reporting/pings/a/b')).toBeUndefined();
  });

  it('prefers literal segments over parameters', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: { '/x/{id}': { get: {} }, '/x/export': { get: {} } },
    } as OpenApiDocument;
    expect(new RouteTemplates(doc).match('GET', '/x/export')).toBe('/x/export');
    expect(new RouteTemplates(doc).match('GET', '/x/42')).toBe('/x/{id}');
  });

  it('knows which operations are public and the permission each names', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      security: [{ bearer: [] }],
      paths: {
        '/x/{id}': { get: { 'x-sextant-permission': 'reports:read' }, delete: { security: [] } },
        '/x/export': { get: { security: [] } },
      },
    } as unknown as OpenApiDocument;
    const routes = new RouteTemplates(doc);
    expect(routes.find('GET', '/x/export')).toEqual({ template: '/x/export', public: true });
    expect(routes.find('GET', '/x/42?a=1')).toEqual({
      template: '/x/{id}',
      public: false,
      permission: 'reports:read',
    });
    // A literal path without the method falls back to the parameterised one that has it.
    expect(routes.find('DELETE', '/x/export')).toMatchObject({ template: '/x/{id}', public: true });
    expect(routes.find('GET', '/x/')).toBeUndefined();
  });

  it('marks the login public and the member list protected in the merged contract', () => {
    const routes = new RouteTemplates(gatewayOpenApiDocument);
    expect(routes.find('POST', '/api/v1/auth/login')?.public).toBe(true);
    expect(routes.find('GET', '/api/v1/auth/members')?.public).toBe(false);
  });
});
