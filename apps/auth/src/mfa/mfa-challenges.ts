import { Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { sha256 } from '../api-keys/api-key-format';

type MfaChallenge = authApi.components['schemas']['MfaChallenge'];
export type ChallengePurpose = 'verify' | 'enrol';

export const MFA_CHALLENGE_SECONDS = 300;
export const MFA_CHALLENGE_MAX_FAILURES = 5;

export interface OpenChallenge {
  token_hash: string;
  user_id: string;
  tenant_id: string;
  purpose: ChallengePurpose;
}

/**
 * The short-lived, single-use token a correct password earns when a second step is needed. It is
 * opaque (stored hashed, like refresh tokens), so it can never pass for an access token, and it
 * dies after a few wrong codes.
 */
@Injectable()
export class MfaChallenges {
  async create(
    manager: EntityManager,
    challenge: { userId: string; tenantId: string; purpose: ChallengePurpose },
  ): Promise<MfaChallenge> {
    const token = `sxm_${randomBytes(32).toString('base64url')}`;
    await manager.query(
      `insert into mfa_challenges (token_hash, user_id, tenant_id, purpose, expires_at)
       values ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [sha256(token), challenge.userId, challenge.tenantId, challenge.purpose, MFA_CHALLENGE_SECONDS],
    );
    return {
      mfaRequired: true,
      enrolmentRequired: challenge.purpose === 'enrol',
      mfaToken: token,
      expiresIn: MFA_CHALLENGE_SECONDS,
    };
  }

  /** The challenge of this token, locked, when it is unused, unexpired and not worn out. */
  async open(manager: EntityManager, token: string): Promise<OpenChallenge | undefined> {
    const [row]: OpenChallenge[] = await manager.query(
      `select token_hash, user_id, tenant_id, purpose from mfa_challenges
       where token_hash = $1 and used_at is null and expires_at > now() and failures < $2 for update`,
      [sha256(token), MFA_CHALLENGE_MAX_FAILURES],
    );
    return row;
  }

  async recordFailure(manager: EntityManager, challenge: OpenChallenge): Promise<void> {
    await manager.query(`update mfa_challenges set failures = failures + 1 where token_hash = $1`, [
      challenge.token_hash,
    ]);
  }

  async useUp(manager: EntityManager, challenge: OpenChallenge): Promise<void> {
    await manager.query(`update mfa_challenges set used_at = now() where token_hash = $1`, [
      challenge.token_hash,
    ]);
  }
}
