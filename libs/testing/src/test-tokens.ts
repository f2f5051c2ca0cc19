import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Signs access tokens the way the auth service does (ES256, `at+jwt`, tid/perms claims) and serves
 * the public key as a JWKS on a local port, for integration tests of one service without auth.
 */
export class TestTokenIssuer {
  readonly issuer = 'https://auth.sextant.test';
  readonly audience = 'sextant-api';
  private privateKey!: KeyLike;
  private server!: Server;
  jwksUrl = '';

  static async start(): Promise<TestTokenIssuer> {
    const issuer = new TestTokenIssuer();
    const pair = await generateKeyPair('ES256');
    issuer.privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    const body = JSON.stringify({ keys: [jwk] });
    issuer.server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
    issuer.jwksUrl = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}/jwks.json`;
    return issuer;
  }

  /** The environment a service needs to verify these tokens. */
  env(): Record<string, string> {
    return { AUTH_JWKS_URL: this.jwksUrl, AUTH_ISSUER: this.issuer, AUTH_AUDIENCE: this.audience };
  }

  token(tenantId: string, permissions: string[], userId: string = randomUUID()): Promise<string> {
    return new SignJWT({ tid: tenantId, perms: permissions })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key', typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(userId)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime('10m')
      .sign(this.privateKey);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
