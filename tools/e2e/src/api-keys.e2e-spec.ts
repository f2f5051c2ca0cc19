import { gatewayOpenApiDocument } from '@sextant/contracts';
import {
  ContractClient,
  eventually,
  type RunningStack,
  signUp,
  type SignedUpOwner,
  startStack,
  testEnvironment,
} from '@sextant/testing';

/**
 * API keys through the real auth service: the gateway exchanges them at
 * `POST /api/v1/auth/api-keys/exchange` and stops accepting a revoked key within seconds.
 * NEEDS the auth branch that adds the exchange endpoint (until then the gateway answers 503).
 */
describe('API keys at the gateway, exchanged at the real auth service', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let owner: SignedUpOwner;
  let key: { keyId: string; key: string };

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'ingestion', 'gateway']);
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    owner = await signUp(stack.urls.gateway, 'Key shop');
    const created = await api.request<{ keyId: string; key: string }>('POST', '/api/v1/auth/api-keys', {
      headers: owner.headers,
      body: { name: 'tracking', scopes: ['ingest'] },
    });
    expect(created.status).toBe(201);
    key = created.body;
  });
  afterAll(() => stack?.stop());

  const ping = (headers: Record<string, string>) =>
    api.request<{ tenantId: string }>('POST', '/api/v1/ingestion/pings', { headers, body: {} });

  it('accepts the key as X-API-Key, Bearer and Segment-style Basic, for the key tenant', async () => {
    for (const headers of [
      { 'x-api-key': key.key } as Record<string, string>,
      { authorization: `Bearer ${key.key}` },
      { authorization: `Basic ${Buffer.from(`${key.key}:`).toString('base64')}` },
    ]) {
      const response = await ping(headers);
      expect(response.status).toBe(202);
      expect(response.body.tenantId).toBe(owner.tenantId);
    }
  });

  it('refuses what the key scopes do not allow, and unknown keys', async () => {
    const members = await api.request('GET', '/api/v1/auth/members', { headers: { 'x-api-key': key.key } });
    expect(members.status).toBe(403);
    const unknown = await ping({ 'x-api-key': 'sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck39' });
    expect(unknown.status).toBe(401);
  });

  it('stops accepting the key within seconds of its revocation', async () => {
    expect((await ping({ 'x-api-key': key.key })).status).toBe(202);
    const revoked = await api.request('DELETE', '/api/v1/auth/api-keys/{keyId}', {
      params: { keyId: key.keyId },
      headers: owner.headers,
    });
    expect(revoked.status).toBeLessThan(300);
    const started = Date.now();
    await eventually(async () => (await ping({ 'x-api-key': key.key })).status === 401, 10_000, 100);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
