import { gatewayOpenApiDocument } from '@sextant/contracts';
import { AccessTokenVerifier, remoteKeySet, ServiceTokenSource } from '@sextant/platform/auth';
import { ContractClient, eventually, type RunningStack, startStack, testEnvironment } from '@sextant/testing';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tenantId: string;
  recoveryCodes?: string[];
}
interface MfaChallenge {
  mfaRequired: true;
  enrolmentRequired: boolean;
  mfaToken: string;
}
interface Problem {
  code: string;
  detail: string;
}
interface AuditEvent {
  service: string;
  action: string;
  outcome: string;
  actorType: string | null;
  actorId: string | null;
  ip: string | null;
  requestId: string | null;
}

const ISSUER = 'https://auth.e2e-mfa.test';
const AUDIENCE = 'sextant-e2e-mfa';
const password = () => `correct horse ${randomUUID()}`;
/** The code an authenticator app shows for this secret, `offsetSteps` time steps from now. */
const totpCode = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

describe('MFA, API-key exchange, service tokens and audit from every service (through the gateway)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let verifier: AccessTokenVerifier;
  let servicePrivateKey: JWK;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const register = async () => {
    const email = `${randomUUID()}@example.com`;
    const pass = password();
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
  const login = (email: string, pass: string, tenantId?: string) =>
    api.request<TokenPair & MfaChallenge>('POST', '/api/v1/auth/login', {
      body: { email, password: pass, ...(tenantId ? { tenantId } : {}) },
    });
  const auditOf = async (token: string, query: Record<string, string>) =>
    (
      await api.request<{ items: AuditEvent[] }>('GET', '/api/v1/auth/audit-events', {
        headers: bearer(token),
        query: { limit: '200', ...query },
      })
    ).body.items;
  const ping = (token: string) =>
    api.request('POST', '/api/v1/ingestion/pings', { headers: bearer(token), body: { note: 'audit me' } });

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    servicePrivateKey = await exportJWK(pair.privateKey);
    const publicKey = await exportJWK(pair.publicKey);
    stack = await startStack(env, ['auth', 'ingestion', 'gateway'], {
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_SERVICE_CLIENTS: JSON.stringify({ reporting: { publicKey, permissions: ['events:write'] } }),
    });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    verifier = new AccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: remoteKeySet(`${stack.urls.auth}/.well-known/jwks.json`),
    });
  });
  afterAll(() => stack?.stop());

  it('enrols TOTP, logs in in two steps, refuses a reused code and a reused recovery code, and disables after re-authentication', async () => {
    const owner = await register();
    const asOwner = bearer(owner.tokens.accessToken);
    const enrolment = await api.request<{ otpauthUri: string; secret: string }>(
      'POST',
      '/api/v1/auth/mfa/totp',
      {
        headers: asOwner,
      },
    );
    expect(enrolment.status).toBe(201);
    expect(enrolment.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Sextant:/);
    expect(new URL(enrolment.body.otpauthUri).searchParams.get('secret')).toBe(enrolment.body.secret);
    const secret = enrolment.body.secret;

    const wrong = await api.request<Problem>('POST', '/api/v1/auth/mfa/totp/confirm', {
      headers: asOwner,
      body: { code: totpCode(secret, 5) },
    });
    expect(wrong.status).toBe(400);
    const confirmed = await api.request<{ recoveryCodes: string[] }>(
      'POST',
      '/api/v1/auth/mfa/totp/confirm',
      {
        headers: asOwner,
        body: { code: totpCode(secret) },
      },
    );
    expect(confirmed.status).toBe(200);
    const recoveryCodes = confirmed.body.recoveryCodes;
    expect(new Set(recoveryCodes).size).toBe(10);

    const first = await login(owner.email, owner.password);
    expect(first.body).toMatchObject({ mfaRequired: true, enrolmentRequired: false });
    expect(first.body.accessToken).toBeUndefined();
    // The challenge is no access token.
    expect(
      (await api.request('GET', '/api/v1/auth/me', { headers: bearer(first.body.mfaToken) })).status,
    ).toBe(401);
    // The next step's code: the confirmation used the current step.
    const code = totpCode(secret, 1);
    const second = await api.request<TokenPair>('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: first.body.mfaToken, code },
    });
    expect(second.status).toBe(200);
    expect((await verifier.verify(second.body.accessToken)).userId).toBe(owner.userId);
    const usedChallenge = await api.request('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: first.body.mfaToken, code: totpCode(secret, 1) },
    });
    expect(usedChallenge.status).toBe(401);

    const replay = await login(owner.email, owner.password);
    const reused = await api.request<Problem>('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: replay.body.mfaToken, code },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('invalid_mfa_code');

    const byRecovery = await api.request<TokenPair>('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: replay.body.mfaToken, recoveryCode: recoveryCodes[0] },
    });
    expect(byRecovery.status).toBe(200);
    const again = await login(owner.email, owner.password);
    const recoveryReused = await api.request<Problem>('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: again.body.mfaToken, recoveryCode: recoveryCodes[0] },
    });
    expect(recoveryReused.status).toBe(401);

    const asNewSession = bearer(byRecovery.body.accessToken);
    const badPassword = await api.request('POST', '/api/v1/auth/mfa/totp/disable', {
      headers: asNewSession,
      body: { password: 'not the password', recoveryCode: recoveryCodes[1] },
    });
    expect(badPassword.status).toBe(401);
    const noCode = await api.request<Problem>('POST', '/api/v1/auth/mfa/totp/disable', {
      headers: asNewSession,
      body: { password: owner.password },
    });
    expect(noCode.status).toBe(400);
    const disabled = await api.request('POST', '/api/v1/auth/mfa/totp/disable', {
      headers: asNewSession,
      body: { password: owner.password, recoveryCode: recoveryCodes[1] },
    });
    expect(disabled.status).toBe(204);
    const plain = await login(owner.email, owner.password);
    expect(plain.body.accessToken).toBeDefined();

    const audit = await auditOf(plain.body.accessToken, { service: 'auth' });
    const actions = audit.map((e) => `${e.action}:${e.outcome}`);
    for (const expected of [
      'mfa.enable:success',
      'mfa.verify:failure',
      'mfa.recovery-code:success',
      'mfa.disable:success',
    ])
      expect(actions).toContain(expected);
  });

  it('makes members of a tenant that requires MFA enrol at login before they get tokens', async () => {
    const owner = await register();
    const asOwner = bearer(owner.tokens.accessToken);
    const colleagueEmail = `${randomUUID()}@example.com`;
    const colleaguePassword = password();
    const invite = await api.request<{ inviteToken: string }>('POST', '/api/v1/auth/invites', {
      headers: asOwner,
      body: { email: colleagueEmail, role: 'viewer' },
    });
    await api.request('POST', '/api/v1/auth/invites/accept', {
      body: { inviteToken: invite.body.inviteToken, password: colleaguePassword },
    });
    const viewer = await login(colleagueEmail, colleaguePassword, owner.tenantId);
    const asViewer = bearer(viewer.body.accessToken);
    const forbidden = await api.request('PUT', '/api/v1/auth/tenant/settings', {
      headers: asViewer,
      body: { requireMfa: true },
    });
    expect(forbidden.status).toBe(403);

    const set = await api.request<{ requireMfa: boolean }>('PUT', '/api/v1/auth/tenant/settings', {
      headers: asOwner,
      body: { requireMfa: true },
    });
    expect(set.body).toEqual({ requireMfa: true });
    const read = await api.request('GET', '/api/v1/auth/tenant/settings', { headers: asViewer });
    expect(read.body).toEqual({ requireMfa: true });

    const forced = await login(colleagueEmail, colleaguePassword, owner.tenantId);
    expect(forced.body).toMatchObject({ mfaRequired: true, enrolmentRequired: true });
    expect(forced.body.accessToken).toBeUndefined();
    const noCodeYet = await api.request('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: forced.body.mfaToken, code: '000000' },
    });
    expect(noCodeYet.status).toBe(401);
    const enrolment = await api.request<{ secret: string }>('POST', '/api/v1/auth/login/mfa/enrolment', {
      body: { mfaToken: forced.body.mfaToken },
    });
    expect(enrolment.status).toBe(200);
    const done = await api.request<TokenPair>('POST', '/api/v1/auth/login/mfa', {
      body: { mfaToken: forced.body.mfaToken, code: totpCode(enrolment.body.secret) },
    });
    expect(done.status).toBe(200);
    expect(done.body.recoveryCodes).toHaveLength(10);
    expect((await verifier.verify(done.body.accessToken)).tenantId).toBe(owner.tenantId);

    const keepMfa = await api.request<Problem>('POST', '/api/v1/auth/mfa/totp/disable', {
      headers: bearer(done.body.accessToken),
      body: { password: colleaguePassword, recoveryCode: done.body.recoveryCodes![0] },
    });
    expect(keepMfa.status).toBe(403);
    expect(keepMfa.body.code).toBe('mfa_required_by_tenant');

    // The owner has no MFA yet either: the next login asks for enrolment too.
    expect((await login(owner.email, owner.password)).body.enrolmentRequired).toBe(true);
    const audit = await auditOf(owner.tokens.accessToken, {});
    expect(audit).toContainEqual(
      expect.objectContaining({ service: 'auth', action: 'updateTenantSettings', outcome: 'denied' }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: 'tenant.settings', outcome: 'success' }));
  });

  it('exchanges API keys for access tokens that other services accept, and refuses bad keys alike', async () => {
    const owner = await register();
    const asOwner = bearer(owner.tokens.accessToken);
    const create = (scopes: string[], expiresAt?: string) =>
      api.request<{ keyId: string; key: string }>('POST', '/api/v1/auth/api-keys', {
        headers: asOwner,
        body: { name: `key ${scopes.join('+')}`, scopes, ...(expiresAt ? { expiresAt } : {}) },
      });
    const exchange = (apiKey: string) =>
      api.request<{
        accessToken: string;
        keyId: string;
        tenantId: string;
        scopes: string[];
        expiresIn: number;
      }>('POST', '/api/v1/auth/api-keys/exchange', { body: { apiKey } });
    const ingest = await create(['ingest']);
    const exchanged = await exchange(ingest.body.key);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({
      keyId: ingest.body.keyId,
      tenantId: owner.tenantId,
      scopes: ['ingest'],
      tokenType: 'Bearer',
      expiresIn: 600,
    });
    const identity = await verifier.verify(exchanged.body.accessToken);
    expect(identity).toMatchObject({
      userId: ingest.body.keyId,
      subjectType: 'api_key',
      tenantId: owner.tenantId,
      permissions: ['events:write'],
    });
    expect((await ping(exchanged.body.accessToken)).status).toBe(202);
    // An ingest key cannot read or manage anything.
    expect(
      (await api.request('GET', '/api/v1/auth/api-keys', { headers: bearer(exchanged.body.accessToken) }))
        .status,
    ).toBe(403);
    const listed = await api.request<{ items: { keyId: string; lastUsedAt: string | null }[] }>(
      'GET',
      '/api/v1/auth/api-keys',
      { headers: asOwner },
    );
    expect(listed.body.items.find((k) => k.keyId === ingest.body.keyId)?.lastUsedAt).not.toBeNull();

    const read = await create(['read']);
    const readToken = (await exchange(read.body.key)).body.accessToken;
    expect((await verifier.verify(readToken)).permissions).toEqual(['reports:read']);
    const denied = await ping(readToken);
    expect(denied.status).toBe(403);

    const revoked = await create(['ingest']);
    await api.request('DELETE', '/api/v1/auth/api-keys/{keyId}', {
      headers: asOwner,
      params: { keyId: revoked.body.keyId },
    });
    const expiring = await create(['ingest'], new Date(Date.now() + 1500).toISOString());
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const unknown = ingest.body.key.replace(/sxt_live_(.{32})_.*/, (_, random: string) => {
      const other = random.split('').reverse().join('');
      return `sxt_live_${other}_000000`;
    });
    const answers = await Promise.all(
      [revoked.body.key, expiring.body.key, unknown, 'sxt_live_nope', `${ingest.body.key}x`].map(exchange),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'invalid_api_key', detail: 'The API key is not valid.' });
    }

    // Both the accepted ping and the 403 of another service reach the tenant's audit log.
    const fromIngestion = await eventually(async () => {
      const items = await auditOf(owner.tokens.accessToken, { service: 'ingestion' });
      return items.length >= 2 ? items : undefined;
    });
    expect(fromIngestion).toContainEqual(
      expect.objectContaining({
        action: 'recordPing',
        outcome: 'success',
        actorType: 'api_key',
        actorId: ingest.body.keyId,
        ip: '127.0.0.1',
      }),
    );
    expect(fromIngestion).toContainEqual(
      expect.objectContaining({
        action: 'recordPing',
        outcome: 'denied',
        actorType: 'api_key',
        actorId: read.body.keyId,
      }),
    );
    expect(fromIngestion.every((e) => e.requestId)).toBe(true);
    const exchanges = await auditOf(owner.tokens.accessToken, { action: 'api-key.exchange' });
    expect(exchanges.map((e) => e.outcome).sort()).toEqual(['failure', 'failure', 'success', 'success']);
  });

  it('issues service tokens for a signed client assertion, once per assertion, that another service accepts', async () => {
    const owner = await register();
    const source = new ServiceTokenSource({
      service: 'reporting',
      privateKey: servicePrivateKey,
      tokenUrl: `${stack.urls.auth}/api/v1/auth/service-tokens`,
      issuer: ISSUER,
    });
    const token = await source.tokenFor(owner.tenantId);
    expect(await verifier.verify(token)).toMatchObject({
      userId: 'reporting',
      subjectType: 'service',
      tenantId: owner.tenantId,
      permissions: ['events:write'],
    });
    expect(await source.tokenFor(owner.tenantId)).toBe(token);
    expect((await ping(token)).status).toBe(202);

    const assertion = await source.assertion();
    const trade = () =>
      api.request<Problem>('POST', '/api/v1/auth/service-tokens', {
        body: {
          clientAssertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          clientAssertion: assertion,
          tenantId: owner.tenantId,
        },
      });
    expect((await trade()).status).toBe(200);
    const replayed = await trade();
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('invalid_client');

    const stranger = await generateKeyPair('ES256', { extractable: true });
    const impostor = new ServiceTokenSource({
      service: 'reporting',
      privateKey: await exportJWK(stranger.privateKey),
      tokenUrl: `${stack.urls.auth}/api/v1/auth/service-tokens`,
      issuer: ISSUER,
    });
    await expect(impostor.tokenFor(owner.tenantId)).rejects.toThrow(/401/);

    const fromService = await eventually(async () =>
      (await auditOf(owner.tokens.accessToken, { service: 'ingestion', actorId: 'reporting' })).find(
        (e) => e.action === 'recordPing',
      ),
    );
    expect(fromService).toMatchObject({ actorType: 'service', outcome: 'success' });
  });
});
