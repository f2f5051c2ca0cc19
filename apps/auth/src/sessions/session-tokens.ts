import { Inject, Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { permissionsOf, type Role } from '../access/roles';
import { sha256 } from '../api-keys/api-key-format';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { SigningKeys } from '../signing/signing-keys';

type TokenPair = authApi.components['schemas']['TokenPair'];

export const newRefreshToken = () => `sxr_${randomBytes(32).toString('base64url')}`;

/** Access tokens (signed JWTs) and refresh tokens (opaque, hashed, in families). */
@Injectable()
export class SessionTokens {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly keys: SigningKeys,
  ) {}

  /** Starts a family (a login) or continues one (a refresh) and returns the new pair. */
  async issue(
    manager: EntityManager,
    session: { userId: string; tenantId: string; role: Role; familyId?: string },
  ): Promise<TokenPair> {
    const familyId = session.familyId ?? randomUUID();
    if (!session.familyId)
      await manager.query(
        `insert into refresh_families (id, user_id, tenant_id, expires_at)
         values ($1, $2, $3, now() + make_interval(secs => $4))`,
        [familyId, session.userId, session.tenantId, this.config.AUTH_REFRESH_ABSOLUTE_SECONDS],
      );
    const refreshToken = newRefreshToken();
    await manager.query(
      `insert into refresh_tokens (token_hash, family_id, idle_expires_at)
       values ($1, $2, now() + make_interval(secs => $3))`,
      [sha256(refreshToken), familyId, this.config.AUTH_REFRESH_IDLE_SECONDS],
    );
    const accessToken = await this.keys.sign(
      { sub: session.userId, sty: 'user', tid: session.tenantId, perms: permissionsOf(session.role) },
      this.config.AUTH_ACCESS_TOKEN_TTL_SECONDS,
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.AUTH_ACCESS_TOKEN_TTL_SECONDS,
      refreshToken,
      refreshExpiresIn: this.config.AUTH_REFRESH_IDLE_SECONDS,
      tenantId: session.tenantId,
    };
  }
}
