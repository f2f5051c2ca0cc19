import type { gatewayApi } from '@sextant/contracts';
import createClient, { type Client, type Middleware } from 'openapi-fetch';

export type SextantPaths = gatewayApi.paths;
export type SextantClient = Client<SextantPaths>;

export interface SextantClientOptions {
  /** The gateway, e.g. https://sextant.example.com or http://localhost:3000. */
  baseUrl: string;
  /** A user's access token (sent as a Bearer token). */
  accessToken?: string | (() => string | Promise<string>);
  /** A partner API key (sent as a Bearer token; ingest keys also work as Basic user names). */
  apiKey?: string;
  /** Your own fetch (tests, retries, proxies). */
  fetch?: typeof fetch;
}

/**
 * A typed client for Sextant's public API, generated from the published contract: paths,
 * parameters, bodies and responses are checked by the TypeScript compiler.
 *
 * ```ts
 * const sextant = createSextantClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.SEXTANT_KEY });
 * const { data, error } = await sextant.POST('/api/v1/ingestion/pings', { body: { tenantId, note: 'hello' } });
 * if (error) throw new Error(error.detail);
 * ```
 */
export function createSextantClient(options: SextantClientOptions): SextantClient {
  const client = createClient<SextantPaths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    fetch: options.fetch,
  });
  const credentials: Middleware = {
    async onRequest({ request }) {
      const token =
        typeof options.accessToken === 'function'
          ? await options.accessToken()
          : (options.accessToken ?? options.apiKey);
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(credentials);
  return client;
}
