import { gatewayOpenApiDocument, SERVICE_NAMES } from '@sextant/contracts';
import { loadGatewayConfig } from '../config';
import { upstreamsFrom } from './upstream-proxy';

// The published document and the gateway's routing agree: every public operation belongs to a
// domain the gateway forwards, and every service has an upstream.
describe('gateway routes and the merged contract', () => {
  const upstreams = upstreamsFrom(loadGatewayConfig({ KAFKA_BROKERS: 'localhost:9092' }));

  it('routes every /api/v1 operation of the merged document to an upstream', () => {
    const domains = Object.keys(gatewayOpenApiDocument.paths)
      .filter((p) => p.startsWith('/api/'))
      .map((p) => p.split('/')[3]);
    expect(domains.length).toBeGreaterThan(0);
    for (const domain of domains) expect(Object.keys(upstreams)).toContain(domain);
  });

  it('has an upstream for every service', () => {
    expect(Object.keys(upstreams).sort()).toEqual([...SERVICE_NAMES].sort());
  });
});
