import { commonConfig, env, loadConfig } from '@sextant/platform/config';

const upstream = (name: string, port: number) =>
  env.urls({
    doc: `base URL of the ${name} service: a load-balanced Service URL, or its replicas' URLs separated by commas (same path, the gateway balances them)`,
    default: [`http://127.0.0.1:${port}`],
    protocols: ['http', 'https'],
  });

export const gatewayConfigSpec = {
  ...commonConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3000, min: 1, max: 65535 }),
  AUTH_URL: upstream('auth', 3001),
  INGESTION_URL: upstream('ingestion', 3002),
  ATTRIBUTION_URL: upstream('attribution', 3003),
  FORECASTING_URL: upstream('forecasting', 3004),
  REPORTING_URL: upstream('reporting', 3005),
  BODY_LIMIT_BYTES: env.int({
    doc: 'largest request body the gateway forwards (413 above it)',
    default: 1024 * 1024,
    min: 1,
  }),
  UPSTREAM_RETRIES: env.int({
    doc: 'retries of idempotent requests (GET, HEAD) when an upstream connection fails',
    default: 2,
    min: 0,
    max: 5,
  }),
  BREAKER_FAILURE_THRESHOLD: env.int({
    doc: 'consecutive upstream failures that open its circuit',
    default: 5,
    min: 1,
  }),
  BREAKER_OPEN_MS: env.int({
    doc: 'how long an open circuit fails fast before one trial request',
    default: 10_000,
    min: 100,
  }),
  AUTH_JWKS_URL: env.string({
    doc: "the auth service's JWKS (default: <AUTH_URL>/.well-known/jwks.json); cached, refetched on an unknown key id",
    default: '',
  }),
  AUTH_ISSUER: env.string({
    doc: 'the `iss` access tokens must carry',
    default: 'https://auth.sextant.local',
  }),
  AUTH_AUDIENCE: env.string({ doc: 'the `aud` access tokens must carry', default: 'sextant-api' }),
  API_KEY_CACHE_SIZE: env.int({
    doc: 'API keys whose exchanged access token is cached (by key hash) until shortly before it expires',
    default: 10_000,
    min: 0,
  }),
  RATE_LIMIT_MAX: env.int({
    doc: 'default requests per window per API key, per tenant and per IP (public operations); RATE_LIMITS refines it',
    default: 1_200,
    min: 1,
  }),
  RATE_LIMIT_WINDOW_MS: env.int({ doc: 'the default rate-limit window', default: 60_000, min: 100 }),
  RATE_LIMITS: env.string({
    doc: 'JSON limits per plan, tenant plan and route (format in apps/gateway/README.md); empty: RATE_LIMIT_MAX everywhere',
    default: '',
  }),
  RATE_LIMIT_STORE_URL: env.string({
    doc: 'PostgreSQL URL of the rate-limit counters shared by all gateway replicas; empty: counted in-process',
    default: '',
    secret: true,
  }),
  TRUST_PROXY: env.string({
    doc: "addresses (IPs/CIDRs, comma-separated) of proxies in front of the gateway whose X-Forwarded-For is believed; 'true' believes any",
    default: '',
  }),
  CORS_ORIGINS: env.string({
    doc: 'comma-separated origins allowed by CORS (empty: no cross-origin access)',
    default: '',
  }),
  UPSTREAM_TIMEOUT_MS: env.int({
    doc: 'time an upstream has to answer before the gateway returns 504',
    default: 30_000,
    min: 100,
  }),
  ROUTE_TIMEOUTS: env.string({
    doc: 'JSON {"<METHOD> <contract path>" or "<domain>": ms}: upstream timeouts overriding UPSTREAM_TIMEOUT_MS',
    default: '',
  }),
};

export const loadGatewayConfig = (source = process.env) => loadConfig(gatewayConfigSpec, source);
export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
