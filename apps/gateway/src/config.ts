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
  UPSTREAM_TIMEOUT_MS: env.int({
    doc: 'time an upstream has to answer before the gateway returns 504',
    default: 30_000,
    min: 100,
  }),
};

export const loadGatewayConfig = (source = process.env) => loadConfig(gatewayConfigSpec, source);
export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
