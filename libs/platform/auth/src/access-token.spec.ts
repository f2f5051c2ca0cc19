import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { createHmac, generateKeyPairSync, randomUUID, sign as signBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessTokenVerifier, InvalidAccessToken, remoteKeySet } from './access-token';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('AccessTokenVerifier', () => {
  let privateKey: KeyLike;
  let jwk: JWK;
  const userId = randomUUID();
  const tenantId = randomUUID();

  const sign = (
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    key = privateKey,
  ) =>
    new SignJWT({
      iss: 'https://issuer.test',
      aud: 'api',
      sub: userId,
      tid: tenantId,
      perms: ['reports:read'],
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header } as never)
      .sign(key);

  const verifier = (cacheSize = 0) =>
    new AccessTokenVerifier({
      issuer: 'https://issuer.test',
      audience: 'api',
      keys: createLocalJWKSet({ keys: [jwk] }),
      cacheSize,
    });

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  });

  it('returns the identity of a valid token', async () => {
    const identity = await verifier().verify(await sign());
    expect(identity).toMatchObject({ userId, tenantId, permissions: ['reports:read'] });
    expect(identity.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('names the kind of subject: users by default, API keys by id, services by name', async () => {
    expect((await verifier().verify(await sign())).subjectType).toBe('user');
    const keyId = randomUUID();
    expect(await verifier().verify(await sign({ sty: 'api_key', sub: keyId }))).toMatchObject({
      userId: keyId,
      subjectType: 'api_key',
    });
    expect(await verifier().verify(await sign({ sty: 'service', sub: 'reporting' }))).toMatchObject({
      userId: 'reporting',
      subjectType: 'service',
    });
    for (const claims of [
      { sty: 'admin' },
      { sty: 'user', sub: 'reporting' },
      { sty: 'service', sub: 'Not A Name' },
    ])
      await expect(verifier().verify(await sign(claims))).rejects.toBeInstanceOf(InvalidAccessToken);
  });

  it('rejects wrong issuer, audience, type, expired tokens and malformed claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      issuer: await sign({ iss: 'https://evil.test' }),
      audience: await sign({ aud: 'other' }),
      type: await sign({}, { typ: 'JWT' }),
      expired: await sign({ iat: now - 3600, exp: now - 600 }),
      tenant: await sign({ tid: 'not-a-uuid' }),
      permissions: await sign({ perms: 'everything' }),
      subject: await sign({ sub: 'root' }),
      notYetValid: await sign({ nbf: now + 600 }),
      noTokenId: await sign({ jti: undefined }),
      noIssuedAt: await sign({ iat: undefined }),
    };
    for (const [name, token] of Object.entries(bad))
      await expect(
        verifier()
          .verify(token)
          .then(() => name),
      ).rejects.toBeInstanceOf(InvalidAccessToken);
  });

  it('rejects alg none, HS256 keyed with the public key, another key, and a changed payload', async () => {
    const good = await sign();
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const hsHead = b64url({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' });
    const hsSigned = `${hsHead}.${payload}`;
    const other = await generateKeyPair('ES256');
    const forged = [
      `${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      `${hsSigned}.${createHmac('sha256', JSON.stringify(jwk)).update(hsSigned).digest('base64url')}`,
      await sign({}, {}, other.privateKey),
      `${header}.${b64url({ ...claims, perms: ['members:manage'] })}.${signature}`,
      'a.b.c',
    ];
    for (const token of forged)
      await expect(verifier().verify(token)).rejects.toBeInstanceOf(InvalidAccessToken);
  });

  it('verifies RS256 with RSA keys of 2048 bits or more, each key only with its own algorithm', async () => {
    const rsa = await generateKeyPair('RS256', { modulusLength: 2048 });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const keys = createLocalJWKSet({
      keys: [
        jwk,
        { ...(await exportJWK(rsa.publicKey)), kid: 'r1', use: 'sig' },
        { ...(weak.publicKey.export({ format: 'jwk' }) as JWK), kid: 'weak', use: 'sig' },
      ],
    });
    const rsaVerifier = new AccessTokenVerifier({
      issuer: 'https://issuer.test',
      audience: 'api',
      keys,
      cacheSize: 0,
    });
    const rs256 = await sign({}, { alg: 'RS256', kid: 'r1' }, rsa.privateKey);
    expect(await rsaVerifier.verify(rs256)).toMatchObject({ userId, tenantId });
    const [, payload, signature] = rs256.split('.');
    // jose refuses to sign with a 1024-bit key or an unknown `crit`, so those two are signed by hand.
    const signedByHand = (header: object, key: typeof weak.privateKey) => {
      const input = `${b64url({ typ: 'at+jwt', ...header })}.${payload}`;
      return `${input}.${signBytes('sha256', Buffer.from(input), key).toString('base64url')}`;
    };
    const rejected = [
      signedByHand({ alg: 'RS256', kid: 'weak' }, weak.privateKey),
      signedByHand({ alg: 'RS256', kid: 'r1', crit: ['x-sextant'], 'x-sextant': 1 }, rsa.privateKey as never),
      `${b64url({ alg: 'ES256', kid: 'r1', typ: 'at+jwt' })}.${payload}.${signature}`,
      `${b64url({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })}.${payload}.${signature}`,
      `${rs256.slice(0, -2)}+/`,
    ];
    for (const token of rejected)
      await expect(rsaVerifier.verify(token)).rejects.toBeInstanceOf(InvalidAccessToken);
  });

  it('caches verified tokens until they expire, and only those', async () => {
    const cached = verifier(2);
    const token = await sign();
    const first = await cached.verify(token);
    expect(await cached.verify(token)).toBe(first);
    const [h, p] = token.split('.');
    await expect(cached.verify(`${h}.${p}.AAAA`)).rejects.toBeInstanceOf(InvalidAccessToken);
    await cached.verify(await sign());
    await cached.verify(await sign());
    expect(await cached.verify(token)).not.toBe(first);
  });

  describe('with the remote key set', () => {
    let server: Server;
    let served: JWK[];
    let fetches = 0;
    let url: string;

    beforeAll(async () => {
      server = createServer((_, res) => {
        fetches++;
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: served }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('fetches the keys once and again when a token names an unknown kid', async () => {
      served = [jwk];
      const remote = new AccessTokenVerifier({
        issuer: 'https://issuer.test',
        audience: 'api',
        keys: remoteKeySet(url, { cooldownMs: 0 }),
        cacheSize: 0,
      });
      await remote.verify(await sign());
      await remote.verify(await sign());
      expect(fetches).toBe(1);
      const next = await generateKeyPair('ES256', { extractable: true });
      served = [jwk, { ...(await exportJWK(next.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }];
      const rotated = await sign({}, { kid: 'k2' }, next.privateKey);
      expect((await remote.verify(rotated)).userId).toBe(userId);
      expect(fetches).toBe(2);
      await expect(remote.verify(await sign({}, { kid: 'k3' }))).rejects.toBeInstanceOf(InvalidAccessToken);
    });
  });
});
