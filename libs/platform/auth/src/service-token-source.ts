import { importJWK, type JWK, type KeyLike, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';

export interface ServiceTokenSourceOptions {
  /** This service's name, as registered in the auth service's AUTH_SERVICE_CLIENTS. */
  service: string;
  /** This service's own private P-256 JWK (from its own Secret; never shared with another service). */
  privateKey: JWK;
  /** The auth service's token endpoint, e.g. `http://auth:3001/api/v1/auth/service-tokens`. */
  tokenUrl: string;
  /** The `aud` of assertions: the auth issuer. */
  issuer: string;
  fetch?: typeof fetch;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Short-lived access tokens for a service acting on its own (a consumer, a scheduler), per
 * tenant: it signs an RFC 7523 client assertion with its own key and trades it at the auth
 * service. Tokens are reused until 30 seconds before they expire.
 */
export class ServiceTokenSource {
  private key?: KeyLike | Uint8Array;
  private readonly cached = new Map<string, { token: string; renewAt: number }>();

  constructor(private readonly options: ServiceTokenSourceOptions) {}

  async tokenFor(tenantId: string): Promise<string> {
    const hit = this.cached.get(tenantId);
    if (hit && hit.renewAt > Date.now()) return hit.token;
    const response = await (this.options.fetch ?? fetch)(this.options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        clientAssertionType: ASSERTION_TYPE,
        clientAssertion: await this.assertion(),
        tenantId,
      }),
    });
    if (!response.ok) throw new Error(`service token refused: ${response.status} ${await response.text()}`);
    const { accessToken, expiresIn } = (await response.json()) as { accessToken: string; expiresIn: number };
    this.cached.set(tenantId, {
      token: accessToken,
      renewAt: Date.now() + Math.max(0, expiresIn - 30) * 1000,
    });
    return accessToken;
  }

  /** A one-time assertion: iss = sub = the service, aud = the issuer, 60 seconds, unique jti. */
  async assertion(): Promise<string> {
    this.key ??= await importJWK(this.options.privateKey, 'ES256');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(this.options.service)
      .setSubject(this.options.service)
      .setAudience(this.options.issuer)
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti(randomUUID())
      .sign(this.key);
  }
}
