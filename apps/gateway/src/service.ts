import { gatewayOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { type GatewayConfig, loadGatewayConfig } from './config';
import { installEdgeProtection } from './edge/edge-protection';
import { installUpstreamProxy } from './proxy/upstream-proxy';

export function gatewayService(config: GatewayConfig = loadGatewayConfig()): ServiceEntry<GatewayConfig> {
  return {
    definition: {
      name: 'gateway',
      config,
      contract: gatewayOpenApiDocument,
      uncontractedRoutes: [/^\/api\/v1\//],
      streamBodies: true,
      trustProxy: config.TRUST_PROXY === 'true' ? true : config.TRUST_PROXY || false,
      configure: async (app, logger) => {
        await installEdgeProtection(app, config);
        await installUpstreamProxy(app, config, logger, config.NODE_ENV === 'development');
      },
    },
    features: [],
  };
}
