import { commonConfig, env, loadConfig } from '@sextant/platform/config';

const upstream = (name: string, port: number) =>
  env.url({
    doc: `base URL of the ${name} service (several replicas: a load-balanced Service URL)`,
    default: `http://127.0.0.1:${port}`,
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
  RATE_LIMIT_MAX: env.int({
    doc: 'requests per window per credential (per IP without one)',
    default: 1_200,
    min: 1,
  }),
  RATE_LIMIT_WINDOW_MS: env.int({ doc: 'the rate-limit window', default: 60_000, min: 100 }),
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
};

export const loadGatewayConfig = (source = process.env) => loadConfig(gatewayConfigSpec, source);
export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
