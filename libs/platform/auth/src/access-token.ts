import type { authApi } from '@sextant/contracts';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export type Permission = authApi.components['schemas']['Permission'];

/** What kind of caller a token names (claim `sty`): a person, a partner API key, or a service. */
export type SubjectType = 'user' | 'api_key' | 'service';
export const SUBJECT_TYPES: readonly SubjectType[] = ['user', 'api_key', 'service'];

/** Who a verified access token names. */
export interface VerifiedIdentity {
  /**
   * The token's `sub`: a user id, an API key id (`subjectType: 'api_key'`) or a service name
   * (`subjectType: 'service'`). Kept under this name so existing handlers compile unchanged;
   * handlers that act for a person check `subjectType === 'user'` first.
   */
  userId: string;
  subjectType: SubjectType;
  tenantId: string;
  permissions: Permission[];
  tokenId: string;
  expiresAt: Date;
}

/** The JOSE header `typ` of Sextant access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/**
 * The signature algorithms accepted, asymmetric only: no `none`, no HMAC with a public key as the
 * secret. Tokens are signed RS256; ES256 is kept for keys made before the switch.
 */
export const ACCESS_TOKEN_ALGORITHMS = ['RS256', 'ES256'];

export interface AccessTokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Resolves the key of a token's `kid`: a remote JWKS in services, the local store in auth. */
  keys: JWTVerifyGetKey;
  clockToleranceSeconds?: number;
  /**
   * Tokens already verified, kept (by their full text, signature included) until they expire, so
   * a client's repeated requests cost a map lookup instead of an ECDSA verification. 0 turns it off.
   */
  cacheSize?: number;
}

export class InvalidAccessToken extends Error {
  override name = 'InvalidAccessToken';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Service names are the `sub` of service tokens (e.g. `reporting`). */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{1,31}$/;

/** Verifies access tokens locally: signature (RS256/ES256 only), iss, aud, exp, typ and the Sextant claims. */
export class AccessTokenVerifier {
  private readonly verified = new Map<string, VerifiedIdentity>();
  private readonly cacheSize: number;

  constructor(private readonly options: AccessTokenVerifierOptions) {
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.expiresAt.getTime() > Date.now()) return cached;
      this.verified.delete(token);
    }
    const identity = await this.verifySignatureAndClaims(token);
    if (this.cacheSize > 0) {
      if (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, identity);
    }
    return identity;
  }

  private async verifySignatureAndClaims(token: string): Promise<VerifiedIdentity> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys, {
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError)
        throw new InvalidAccessToken(error.message);
      throw error;
    }
    const { sub, tid, perms, jti, exp, sty = 'user' } = payload as Record<string, unknown>;
    // Tokens without `sty` are user tokens (as issued before the claim existed).
    if (!SUBJECT_TYPES.includes(sty as SubjectType)) throw new InvalidAccessToken('sty is not known');
    const subjectPattern = sty === 'service' ? SERVICE_NAME : UUID;
    if (typeof sub !== 'string' || !subjectPattern.test(sub))
      throw new InvalidAccessToken(`sub must be a ${sty === 'service' ? 'service name' : 'uuid'}`);
    if (typeof tid !== 'string' || !UUID.test(tid)) throw new InvalidAccessToken('tid must be a tenant id');
    if (!Array.isArray(perms) || !perms.every((p) => typeof p === 'string'))
      throw new InvalidAccessToken('perms must be a list of permissions');
    return {
      userId: sub,
      subjectType: sty as SubjectType,
      tenantId: tid,
      permissions: perms as Permission[],
      tokenId: String(jti),
      expiresAt: new Date(Number(exp) * 1000),
    };
  }
}

/**
 * The auth service's published keys, fetched once and cached; a token with an unknown `kid`
 * (a rotated-in key) triggers a refetch, at most once per cooldown.
 */
export function remoteKeySet(jwksUrl: string, options: { cooldownMs?: number; cacheMaxAgeMs?: number } = {}) {
  return createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    timeoutDuration: 5_000,
  });
}
