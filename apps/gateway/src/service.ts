import { gatewayOpenApiDocument } from '@sextant/contracts';
import { AccessTokenVerifier, remoteKeySet } from '@sextant/platform/auth';
import { ReadinessRegistry } from '@sextant/platform/http';
import type { Logger } from '@sextant/platform/logging';
import type { NestFastifyApplication, ServiceEntry } from '@sextant/platform/service';
import { type GatewayConfig, loadGatewayConfig } from './config';
import { ApiKeyExchange } from './edge/api-key-exchange';
import { EdgeGuard, edgeContextOf } from './edge/edge-guard';
import { installEdgeProtection } from './edge/edge-protection';
import { InProcessStore, PostgresStore, RateLimitPolicy, type RateLimitStore } from './edge/rate-limits';
import { RevocationListener } from './edge/revocation-listener';
import { RouteTemplates } from './proxy/route-templates';
import { RouteTimeouts } from './proxy/route-timeouts';
import { installUpstreamProxy, upstreamsFrom } from './proxy/upstream-proxy';
import { installWebSocketPassThrough } from './proxy/websocket-pass-through';

export function gatewayService(config: GatewayConfig = loadGatewayConfig()): ServiceEntry<GatewayConfig> {
  // Bad limit or timeout settings stop the gateway at start, naming what is wrong.
  const policy = RateLimitPolicy.parse(config.RATE_LIMITS, {
    limit: config.RATE_LIMIT_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_MS / 1000,
  });
  const timeouts = new RouteTimeouts(config.ROUTE_TIMEOUTS, config.UPSTREAM_TIMEOUT_MS);
  return {
    definition: {
      name: 'gateway',
      config,
      contract: gatewayOpenApiDocument,
      uncontractedRoutes: [/^\/api\/v1\//],
      streamBodies: true,
      trustProxy: config.TRUST_PROXY === 'true' ? true : config.TRUST_PROXY || false,
      spanRoute: (request) => edgeContextOf(request)?.operation?.template,
      configure: async (app, logger) => {
        const guard = await startEdgeGuard(app, config, logger, policy);
        await installEdgeProtection(app, config);
        await installUpstreamProxy(app, config, logger, config.NODE_ENV === 'development', {
          guard,
          timeouts,
        });
        installWebSocketPassThrough(app.getHttpServer(), upstreamsFrom(config), logger);
      },
    },
    features: [],
  };
}

/** Token verification, API key exchange with Kafka revocations, and the rate-limit store. */
async function startEdgeGuard(
  app: NestFastifyApplication,
  config: GatewayConfig,
  logger: Logger,
  policy: RateLimitPolicy,
): Promise<EdgeGuard> {
  // The signing keys are cached (refetched on an unknown key id); the first auth URL serves them.
  const jwksUrl = config.AUTH_JWKS_URL || new URL('/.well-known/jwks.json', config.AUTH_URL[0]).toString();
  const verifier = new AccessTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    keys: remoteKeySet(jwksUrl),
  });
  const exchange = new ApiKeyExchange({ authUrls: config.AUTH_URL, cacheSize: config.API_KEY_CACHE_SIZE });
  const revocations = new RevocationListener({
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    logger,
    onRevoked: ({ keyId }) => {
      const dropped = exchange.revoke(keyId);
      logger.info({ keyId, dropped }, 'API key revoked');
    },
  });
  await revocations.start();
  app.get(ReadinessRegistry).register({
    name: 'api-key-revocations',
    check: async () => {
      if (!revocations.ready) throw new Error('not yet assigned to the revocation topic');
    },
  });
  const store: RateLimitStore = config.RATE_LIMIT_STORE_URL
    ? await new PostgresStore(config.RATE_LIMIT_STORE_URL).start(logger)
    : new InProcessStore();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', async () => {
      await revocations.stop();
      await store.close();
    });
  let lastStoreWarning = 0;
  return new EdgeGuard({
    routes: new RouteTemplates(gatewayOpenApiDocument),
    verifier,
    exchange,
    policy,
    store,
    onStoreError: (error) => {
      if (Date.now() - lastStoreWarning < 10_000) return;
      lastStoreWarning = Date.now();
      logger.warn({ err: error }, 'rate-limit store failed; requests pass unlimited meanwhile');
    },
  });
}
