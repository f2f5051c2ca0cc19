import { authOpenApiDocument, gatewayOpenApiDocument } from '@sextant/contracts';
import { AccessTokenVerifier, remoteKeySet } from '@sextant/platform/auth';
import {
  ContractClient,
  eventually,
  postOversized,
  type RunningStack,
  startStack,
  testEnvironment,
  testKafka,
} from '@sextant/testing';
import { createHmac, randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tenantId: string;
}
interface Problem {
  code: string;
  errors?: { field: string; message: string }[];
}

const ISSUER = 'https://auth.e2e.test';
const AUDIENCE = 'sextant-e2e';
const password = () => `correct horse ${randomUUID()}`;
const b64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('auth through the gateway (real processes, PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let verifier: AccessTokenVerifier;
  let consumer: Consumer;
  const events: { topic: string; key: string; value: Record<string, unknown> }[] = [];
  const eventsOf = (topic: string) => events.filter((e) => e.topic === `${env.topicPrefix}${topic}`);

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const register = async (email = `${randomUUID()}@example.com`, pass = password()) => {
    const registered = await api.request<{ tenantId: string; userId: string }>(
      'POST',
      '/api/v1/auth/register',
      {
        body: { tenantName: 'Shop', email, password: pass },
      },
    );
    expect(registered.status).toBe(201);
    const login = await api.request<TokenPair>('POST', '/api/v1/auth/login', {
      body: { email, password: pass },
    });
    expect(login.status).toBe(200);
    return { ...registered.body, email, password: pass, tokens: login.body };
  };

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'gateway'], {
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_LOGIN_MAX_FAILURES: '3',
      AUTH_LOCK_SECONDS: '2',
      AUTH_MAX_LOCK_SECONDS: '3',
    });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    verifier = new AccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: remoteKeySet(`${stack.urls.auth}/.well-known/jwks.json`),
    });
    consumer = testKafka(env.brokers, 'auth-e2e').consumer({ groupId: `${env.topicPrefix}auth-e2e` });
    await consumer.connect();
    await consumer.subscribe({
      topics: ['auth.tenant.created.v1', 'auth.member.changed.v1', 'auth.api-key.revoked.v1'].map(
        (t) => `${env.topicPrefix}${t}`,
      ),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        events.push({ topic, key: String(message.key), value: JSON.parse(String(message.value)) });
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await stack?.stop();
  });

  it('registers, logs in, verifies the access token against the JWKS, rotates refresh tokens and kills a reused family', async () => {
    const owner = await register();
    const identity = await verifier.verify(owner.tokens.accessToken);
    expect(identity).toMatchObject({ userId: owner.userId, tenantId: owner.tenantId });
    expect(identity.permissions).toEqual(
      expect.arrayContaining(['members:manage', 'keys:manage', 'audit:read']),
    );

    const jwks = await new ContractClient(stack.urls.auth, authOpenApiDocument).request<{
      keys: { kid: string }[];
    }>('GET', '/.well-known/jwks.json');
    const [header] = owner.tokens.accessToken.split('.');
    expect(jwks.body.keys.map((k) => k.kid)).toContain(
      JSON.parse(Buffer.from(header, 'base64url').toString()).kid,
    );

    const created = await eventually(async () =>
      eventsOf('auth.tenant.created.v1').find((e) => e.value.tenantId === owner.tenantId),
    );
    expect(created).toMatchObject({
      key: owner.tenantId,
      value: { name: 'Shop', ownerUserId: owner.userId },
    });

    const me = await api.request('GET', '/api/v1/auth/me', { headers: bearer(owner.tokens.accessToken) });
    expect(me.body).toEqual({
      userId: owner.userId,
      subjectType: 'user',
      tenantId: owner.tenantId,
      permissions: identity.permissions,
    });

    const relogin = await api.request('POST', '/api/v1/auth/login', {
      body: { email: owner.email, password: owner.password },
    });
    expect(relogin.headers.get('cache-control')).toBe('no-store');

    const first = owner.tokens.refreshToken;
    const rotated = await api.request<TokenPair>('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first);
    await verifier.verify(rotated.body.accessToken);

    const reused = await api.request<Problem>('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first },
    });
    expect(reused.status).toBe(401);
    const familyDead = await api.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expect(familyDead.status).toBe(401);

    const audit = await api.request<{ items: { action: string; outcome: string }[] }>(
      'GET',
      '/api/v1/auth/audit-events',
      { headers: bearer(owner.tokens.accessToken), query: { action: 'refresh.reuse' } },
    );
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'refresh.reuse', outcome: 'failure' }),
    ]);
  });

  it('lets a user of several tenants choose the active one at login; the token names it', async () => {
    const user = await register();
    const second = await api.request<{ tenantId: string; userId: string }>('POST', '/api/v1/auth/register', {
      body: { tenantName: 'Second shop', email: user.email, password: user.password },
    });
    expect(second.status).toBe(201);
    expect(second.body.userId).toBe(user.userId);
    const wrongPassword = await api.request('POST', '/api/v1/auth/register', {
      body: { tenantName: 'Hijack', email: user.email, password: `${user.password}!` },
    });
    expect(wrongPassword.status).toBe(401);

    const inSecond = await api.request<TokenPair>('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password, tenantId: second.body.tenantId },
    });
    expect((await verifier.verify(inSecond.body.accessToken)).tenantId).toBe(second.body.tenantId);
    const byDefault = await api.request<TokenPair>('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect((await verifier.verify(byDefault.body.accessToken)).tenantId).toBe(user.tenantId);
    const notAMember = await api.request<Problem>('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password, tenantId: randomUUID() },
    });
    expect(notAMember.status).toBe(401);
    expect(notAMember.body.code).toBe('invalid_credentials');
  });

  it('logs out one session, and everywhere', async () => {
    const user = await register();
    const second = await api.request<TokenPair>('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(
      (await api.request('POST', '/api/v1/auth/logout', { body: { refreshToken: user.tokens.refreshToken } }))
        .status,
    ).toBe(204);
    expect(
      (
        await api.request('POST', '/api/v1/auth/refresh', {
          body: { refreshToken: user.tokens.refreshToken },
        })
      ).status,
    ).toBe(401);
    const everywhere = await api.request('POST', '/api/v1/auth/logout-all', {
      headers: bearer(second.body.accessToken),
    });
    expect(everywhere.status).toBe(204);
    expect(
      (
        await api.request('POST', '/api/v1/auth/refresh', {
          body: { refreshToken: second.body.refreshToken },
        })
      ).status,
    ).toBe(401);
  });

  it('rejects tampered, expired, wrong-audience, alg none and HS256-with-the-public-key tokens', async () => {
    const { tokens } = await register();
    const [header, payload, signature] = tokens.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const jwks = (await (await fetch(`${stack.urls.auth}/.well-known/jwks.json`)).json()) as {
      keys: object[];
    };
    const publicJwk = JSON.stringify(jwks.keys[0]);
    const hs256 = (body: object) => {
      const head = b64url({ alg: 'HS256', typ: 'at+jwt', kid: claims.kid });
      const signed = `${head}.${b64url(body)}`;
      return `${signed}.${createHmac('sha256', publicJwk).update(signed).digest('base64url')}`;
    };
    const forged = {
      tampered: `${header}.${b64url({ ...claims, perms: [...claims.perms, 'admin:everything'] })}.${signature}`,
      expired: `${header}.${b64url({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 })}.${signature}`,
      wrongAudience: `${header}.${b64url({ ...claims, aud: 'another-api' })}.${signature}`,
      algNone: `${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      hs256Confusion: hs256(claims),
      garbage: 'not-a-jwt',
    };
    for (const [name, token] of Object.entries(forged)) {
      const response = await api.request<Problem>('GET', '/api/v1/auth/me', { headers: bearer(token) });
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expect(verifier.verify(token)).rejects.toThrow();
    }
    expect((await api.request('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('throttles repeated wrong passwords with 429 and Retry-After, and lets the real user in after the window', async () => {
    const user = await register();
    const wrong = () =>
      api.request<Problem>('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: 'wrong password!' },
      });
    const unknown = await api.request<Problem>('POST', '/api/v1/auth/login', {
      body: { email: `${randomUUID()}@example.com`, password: 'wrong password!' },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await wrong()).status);
    expect(statuses).toEqual([401, 401, 401]);
    expect((await wrong()).body.code).toBe((await wrong()).body.code);
    const locked = await api.request<Problem>('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    expect(unknown.body.code).toBe('invalid_credentials');

    const after = await eventually(
      async () => {
        const response = await api.request<TokenPair>('POST', '/api/v1/auth/login', {
          body: { email: user.email, password: user.password },
        });
        return response.status === 200 ? response : undefined;
      },
      10_000,
      500,
    );
    await verifier.verify(after.body.accessToken);
  });

  it('enforces permissions: a viewer gets 403 on admin endpoints', async () => {
    const owner = await register();
    const invite = await api.request<{ inviteToken: string }>('POST', '/api/v1/auth/invites', {
      headers: bearer(owner.tokens.accessToken),
      body: { email: `${randomUUID()}@example.com`, role: 'viewer' },
    });
    expect(invite.status).toBe(201);
    const viewerEmail = (invite.body as unknown as { email: string }).email;
    const viewerPassword = password();
    const accepted = await api.request<{ userId: string; role: string }>(
      'POST',
      '/api/v1/auth/invites/accept',
      {
        body: { inviteToken: invite.body.inviteToken, password: viewerPassword },
      },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe('viewer');
    const again = await api.request('POST', '/api/v1/auth/invites/accept', {
      body: { inviteToken: invite.body.inviteToken, password: viewerPassword },
    });
    expect(again.status).toBe(401);
    const viewer = await api.request<TokenPair>('POST', '/api/v1/auth/login', {
      body: { email: viewerEmail, password: viewerPassword, tenantId: owner.tenantId },
    });
    const asViewer = bearer(viewer.body.accessToken);
    expect((await api.request('GET', '/api/v1/auth/members', { headers: asViewer })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/api/v1/auth/invites', { email: 'x@example.com', role: 'admin' }],
      ['GET', '/api/v1/auth/api-keys', undefined],
      ['GET', '/api/v1/auth/audit-events', undefined],
      ['PATCH', '/api/v1/auth/members/{userId}', { role: 'owner' }],
    ] as const) {
      const response = await api.request<Problem>(method, path, {
        headers: asViewer,
        body,
        params: { userId: accepted.body.userId },
      });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }

    const promoted = await api.request<{ role: string }>('PATCH', '/api/v1/auth/members/{userId}', {
      headers: bearer(owner.tokens.accessToken),
      params: { userId: accepted.body.userId },
      body: { role: 'analyst' },
    });
    expect(promoted.body.role).toBe('analyst');
    const lastOwner = await api.request('DELETE', '/api/v1/auth/members/{userId}', {
      headers: bearer(owner.tokens.accessToken),
      params: { userId: owner.userId },
    });
    expect(lastOwner.status).toBe(409);
    const removed = await api.request('DELETE', '/api/v1/auth/members/{userId}', {
      headers: bearer(owner.tokens.accessToken),
      params: { userId: accepted.body.userId },
    });
    expect(removed.status).toBe(204);
    expect(
      (
        await api.request('POST', '/api/v1/auth/refresh', {
          body: { refreshToken: viewer.body.refreshToken },
        })
      ).status,
    ).toBe(401);
    const changes = await eventually(async () => {
      const seen = eventsOf('auth.member.changed.v1').filter((e) => e.value.userId === accepted.body.userId);
      return seen.length === 3 ? seen : undefined;
    });
    expect(changes.map((e) => [e.value.change, e.value.role])).toEqual([
      ['added', 'viewer'],
      ['role-changed', 'analyst'],
      ['removed', null],
    ]);
  });

  it("answers 404 for another tenant's member or key, and audits the attempt", async () => {
    const a = await register();
    const b = await register();
    const bKey = await api.request<{ keyId: string }>('POST', '/api/v1/auth/api-keys', {
      headers: bearer(b.tokens.accessToken),
      body: { name: 'b ingest', scopes: ['ingest'] },
    });
    const asA = bearer(a.tokens.accessToken);
    const member = await api.request('GET', '/api/v1/auth/members/{userId}', {
      headers: asA,
      params: { userId: b.userId },
    });
    expect(member.status).toBe(404);
    for (const method of ['GET', 'DELETE'] as const) {
      const key = await api.request(method, '/api/v1/auth/api-keys/{keyId}', {
        headers: asA,
        params: { keyId: bKey.body.keyId },
      });
      expect(key.status).toBe(404);
    }
    const role = await api.request('PATCH', '/api/v1/auth/members/{userId}', {
      headers: asA,
      params: { userId: b.userId },
      body: { role: 'viewer' },
    });
    expect(role.status).toBe(404);
    const stillThere = await api.request<{ revokedAt: string | null }>(
      'GET',
      '/api/v1/auth/api-keys/{keyId}',
      {
        headers: bearer(b.tokens.accessToken),
        params: { keyId: bKey.body.keyId },
      },
    );
    expect(stillThere.body.revokedAt).toBeNull();

    const audited = await api.request<{ items: { subjectId: string; actorId: string }[] }>(
      'GET',
      '/api/v1/auth/audit-events',
      { headers: asA, query: { action: 'access.not-found' } },
    );
    expect(audited.body.items.map((e) => e.subjectId).sort()).toEqual(
      [b.userId, b.userId, bKey.body.keyId, bKey.body.keyId].sort(),
    );
    expect(new Set(audited.body.items.map((e) => e.actorId))).toEqual(new Set([a.userId]));
  });

  it('creates an API key shown once, lists it without the secret, and revokes it with an event on Kafka', async () => {
    const owner = await register();
    const asOwner = bearer(owner.tokens.accessToken);
    const created = await api.request<{ keyId: string; key: string; prefix: string }>(
      'POST',
      '/api/v1/auth/api-keys',
      {
        headers: asOwner,
        body: { name: 'storefront', scopes: ['ingest'] },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sxt_live_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    const listed = await api.request<{ items: Record<string, unknown>[] }>('GET', '/api/v1/auth/api-keys', {
      headers: asOwner,
    });
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const revoked = await api.request('DELETE', '/api/v1/auth/api-keys/{keyId}', {
      headers: asOwner,
      params: { keyId: created.body.keyId },
    });
    expect(revoked.status).toBe(204);
    const event = await eventually(async () =>
      eventsOf('auth.api-key.revoked.v1').find((e) => e.value.keyId === created.body.keyId),
    );
    expect(event).toMatchObject({
      key: owner.tenantId,
      value: { tenantId: owner.tenantId, revokedBy: owner.userId },
    });
  });

  it('pages and filters the audit log', async () => {
    const owner = await register();
    const asOwner = bearer(owner.tokens.accessToken);
    for (let i = 0; i < 3; i++)
      await api.request('POST', '/api/v1/auth/api-keys', {
        headers: asOwner,
        body: { name: `k${i}`, scopes: ['read'] },
      });
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page: { body: { items: { eventId: string; action: string }[]; nextCursor: string | null } } =
        await api.request('GET', '/api/v1/auth/audit-events', {
          headers: asOwner,
          query: { limit: '2', ...(cursor ? { cursor } : {}) },
        });
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((e) => e.action));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['api-key.create', 'api-key.create', 'api-key.create', 'login', 'register']);
    const filtered = await api.request<{ items: unknown[] }>('GET', '/api/v1/auth/audit-events', {
      headers: asOwner,
      query: { action: 'login', outcome: 'success', actorId: owner.userId },
    });
    expect(filtered.body.items).toHaveLength(1);
  });

  it('answers malformed, unknown-field, weak-password and oversized bodies with problem+json naming the field', async () => {
    const malformed = await api.request<Problem>('POST', '/api/v1/auth/login', { rawBody: '{"email": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const unknownField = await api.request<Problem>('POST', '/api/v1/auth/login', {
      body: { email: 'a@example.com', password: 'x', isAdmin: true },
    });
    expect(unknownField.body.errors).toEqual([{ field: '/body/isAdmin', message: 'is not allowed' }]);
    for (const weak of ['short', 'password123', 'x'.repeat(129)]) {
      const response = await api.request<Problem>('POST', '/api/v1/auth/register', {
        body: { tenantName: 'T', email: `${randomUUID()}@example.com`, password: weak },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors?.map((e) => e.field)).toEqual(['/body/password']);
    }
    const huge = await postOversized(
      `${stack.urls.gateway}/api/v1/auth/login`,
      JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
    expect(huge.contentType).toMatch(/^application\/problem\+json/);
  });
});
