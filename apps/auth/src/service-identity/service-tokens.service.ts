import { Inject, Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { decodeJwt, errors, importJWK, jwtVerify } from 'jose';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { SigningKeys } from '../signing/signing-keys';

type Schemas = authApi.components['schemas'];

/** How far ahead a client assertion may expire (RFC 7523 asks for a short lifetime). */
export const MAX_ASSERTION_SECONDS = 300;
/** Service tokens live at most this long (or the access token TTL, if shorter). */
export const SERVICE_TOKEN_SECONDS = 300;

const invalidAssertion = () => new ApiProblem(401, 'invalid_client', 'The client assertion is not valid.');

/**
 * Client credentials by private_key_jwt (RFC 7523 section 2.2): a service signs a short assertion
 * with its own key; we check it against the public key configured for that service, accept each
 * `jti` once, and answer with a short-lived `sty: service` access token.
 */
@Injectable()
export class ServiceTokensService {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly transactions: Transactions,
    private readonly keys: SigningKeys,
    private readonly audit: AuditLog,
  ) {}

  async issue(request: Schemas['ServiceTokenRequest'], ip: string): Promise<Schemas['ServiceAccessToken']> {
    const { service, jti, exp } = await this.verifyAssertion(request.clientAssertion);
    const client = this.config.serviceClients.get(service)!;
    const fresh = await this.transactions.system(async (m) => {
      await m.query(`delete from service_assertions where expires_at < now()`);
      const inserted = await m.query(
        `insert into service_assertions (jti, service, expires_at) values ($1, $2, to_timestamp($3))
         on conflict (jti) do nothing returning jti`,
        [jti, service, exp],
      );
      return inserted.length > 0;
    });
    if (!fresh) throw invalidAssertion();
    const ttl = Math.min(SERVICE_TOKEN_SECONDS, this.config.AUTH_ACCESS_TOKEN_TTL_SECONDS);
    const accessToken = await this.keys.sign(
      { sub: service, sty: 'service', tid: request.tenantId, perms: client.permissions },
      ttl,
    );
    await this.transactions.forTenant(request.tenantId, (m) =>
      this.audit.record(m, {
        tenantId: request.tenantId,
        action: 'service-token.issue',
        outcome: 'success',
        actorType: 'service',
        actorId: service,
        ip,
        detail: { permissions: client.permissions },
      }),
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: ttl };
  }

  private async verifyAssertion(assertion: string): Promise<{ service: string; jti: string; exp: number }> {
    let claimed: string | undefined;
    try {
      claimed = decodeJwt(assertion).iss;
    } catch {
      throw invalidAssertion();
    }
    const client = claimed ? this.config.serviceClients.get(claimed) : undefined;
    if (!client) throw invalidAssertion();
    try {
      const { payload } = await jwtVerify(assertion, await importJWK(client.publicKey, 'ES256'), {
        algorithms: ['ES256'],
        issuer: claimed,
        subject: claimed,
        audience: this.config.AUTH_ISSUER,
        requiredClaims: ['jti', 'exp', 'iat'],
        maxTokenAge: MAX_ASSERTION_SECONDS,
        clockTolerance: 5,
      });
      if (payload.exp! - Math.floor(Date.now() / 1000) > MAX_ASSERTION_SECONDS) throw invalidAssertion();
      if (typeof payload.jti !== 'string' || payload.jti.length > 200) throw invalidAssertion();
      return { service: claimed!, jti: payload.jti, exp: payload.exp! };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) throw invalidAssertion();
      throw error;
    }
  }
}
