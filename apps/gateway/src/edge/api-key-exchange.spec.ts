import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyExchange, ApiKeyRejected } from './api-key-exchange';

const GOOD = 'sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck39';
const OTHER = 'sxt_live_0123456789abcdefghijKLMNOPQRSTUV_3KpMnn';
const KEY_IDS: Record<string, string> = {
  [GOOD]: '0b6f2a52-7d1e-4c1a-9a51-2f6a3f0e9c11',
  [OTHER]: '5d3c6a8e-1b2f-4e0a-8c7d-9e1f2a3b4c5d',
};
const TENANT = '7a1e6c3d-2b4f-4a5e-9c8d-1e2f3a4b5c6d';

/**
 * A small server implementing the auth service's exchange contract: 200 with a token for known
 * keys (each answer a new token), 401 problem+json otherwise, optionally slowed down.
 */
function exchangeServer(delayMs = 0) {
  const calls: string[] = [];
  let issued = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      setTimeout(() => {
        const ok = request.method === 'POST' && request.url === '/api/v1/auth/api-keys/exchange';
        const { apiKey } = (ok ? JSON.parse(body) : {}) as { apiKey?: string };
        calls.push(apiKey ?? '');
        const keyId = apiKey ? KEY_IDS[apiKey] : undefined;
        if (!keyId) {
          response
            .writeHead(401, { 'content-type': 'application/problem+json' })
            .end(JSON.stringify({ status: 401, title: 'Unauthorized', code: 'unauthorized' }));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            accessToken: `token-${++issued}`,
            tokenType: 'Bearer',
            expiresIn: 600,
            keyId,
            tenantId: TENANT,
            scopes: ['events:write'],
          }),
        );
      }, delayMs);
    });
  });
  return { server, calls };
}

describe('ApiKeyExchange against a real HTTP server with the exchange contract', () => {
  let server: Server;
  let calls: string[];
  let authUrl: string;
  let clock = 1_000_000;

  const start = async (delayMs = 0) => {
    ({ server, calls } = exchangeServer(delayMs));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  const exchange = (options: Partial<ConstructorParameters<typeof ApiKeyExchange>[0]> = {}) =>
    new ApiKeyExchange({ authUrls: [authUrl], now: () => clock, ...options });

  it('exchanges a key once and serves the cached token until shortly before it expires', async () => {
    await start();
    const keys = exchange({ refreshMarginMs: 30_000 });
    const first = await keys.exchange(GOOD);
    expect(first).toMatchObject({ accessToken: 'token-1', keyId: KEY_IDS[GOOD], tenantId: TENANT });
    expect(first.scopes).toEqual(['events:write']);
    clock += 569_000; // 600 s token, 30 s margin: still cached at 569 s
    expect((await keys.exchange(GOOD)).accessToken).toBe('token-1');
    expect(calls).toEqual([GOOD]);
    clock += 2_000; // 571 s: refreshed
    expect((await keys.exchange(GOOD)).accessToken).toBe('token-2');
    expect(calls).toHaveLength(2);
  });

  it('rejects an unknown key with ApiKeyRejected and caches nothing for it', async () => {
    await start();
    const keys = exchange();
    const unknown = 'sxt_live_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ_000000';
    await expect(keys.exchange(unknown)).rejects.toBeInstanceOf(ApiKeyRejected);
    expect(keys.cachedCount).toBe(0);
  });

  it('shares one exchange between concurrent requests with the same key', async () => {
    await start(100);
    const keys = exchange();
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => keys.exchange(GOOD)));
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-1']));
    expect(calls).toEqual([GOOD]);
  });

  it('drops a revoked key at once, also when its exchange was still in flight', async () => {
    await start(150);
    const keys = exchange();
    await keys.exchange(GOOD);
    await keys.exchange(OTHER);
    expect(keys.revoke(KEY_IDS[GOOD])).toBe(1);
    expect(keys.cachedCount).toBe(1);
    clock += 1;
    const again = keys.exchange(GOOD); // in flight while the revocation arrives
    await new Promise((resolve) => setTimeout(resolve, 20));
    clock += 1;
    keys.revoke(KEY_IDS[GOOD]);
    await again;
    expect(keys.cachedCount).toBe(1); // only OTHER: the token of the revoked key was not cached
    await keys.exchange(GOOD);
    expect(calls.filter((k) => k === GOOD)).toHaveLength(3);
  });

  it('keeps at most cacheSize keys, dropping the oldest', async () => {
    await start();
    const keys = exchange({ cacheSize: 1 });
    await keys.exchange(GOOD);
    await keys.exchange(OTHER);
    await keys.exchange(GOOD);
    expect(calls).toEqual([GOOD, OTHER, GOOD]);
  });

  it('reports an auth service failure as an error other than a rejection', async () => {
    await start();
    const keys = new ApiKeyExchange({ authUrls: ['http://127.0.0.1:1'] });
    await expect(keys.exchange(GOOD)).rejects.not.toBeInstanceOf(ApiKeyRejected);
  });
});
