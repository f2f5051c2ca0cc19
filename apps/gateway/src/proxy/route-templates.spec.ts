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
});
