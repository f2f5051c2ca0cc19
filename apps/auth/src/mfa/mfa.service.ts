import { Inject, Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import type { EntityManager } from 'typeorm';
import type { Role } from '../access/roles';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { SessionsService } from '../sessions/sessions.service';
import { SessionTokens } from '../sessions/session-tokens';
import { scopeToTenant } from '../sessions/tenant-scope';
import { sealText, unsealText } from '@sextant/platform/config';
import { MfaChallenges, type OpenChallenge } from './mfa-challenges';
import {
  invalidMfaChallenge,
  invalidMfaCode,
  oneFactorNeeded,
  usersOnly,
  wrongEnrolmentCode,
} from './problems';
import { findRecoveryCode, hashRecoveryCode, newRecoveryCodes } from './recovery-codes';
import { acceptedTotpStep, newTotpSecret, otpauthUri } from './totp';

type Schemas = authApi.components['schemas'];
type SecondFactor = { code?: string; recoveryCode?: string };

interface MfaUserRow {
  id: string;
  email: string;
  totp_secret_sealed: string | null;
  totp_pending_sealed: string | null;
  totp_last_step: string | null;
}

const ISSUER_NAME = 'Sextant';
const sealingContext = (userId: string) => `totp:${userId}`;

/**
 * TOTP second factor of a person (it protects them in every tenant): enrolment, confirmation
 * with recovery codes, the second login step, and disabling after re-authentication.
 */
@Injectable()
export class MfaService {
  private readonly keyEncryptionKey: Buffer;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    private readonly transactions: Transactions,
    private readonly sessions: SessionsService,
    private readonly tokens: SessionTokens,
    private readonly challenges: MfaChallenges,
    private readonly audit: AuditLog,
  ) {
    this.keyEncryptionKey = Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64');
  }

  startEnrolment(identity: VerifiedIdentity): Promise<Schemas['TotpEnrolment']> {
    if (identity.subjectType !== 'user') throw usersOnly();
    return this.transactions.system(async (m) => {
      const user = await this.lockUser(m, identity.userId);
      if (user.totp_secret_sealed) throw ApiProblem.conflict('MFA is already on; disable it first.');
      return this.newPendingSecret(m, user);
    });
  }

  async confirmEnrolment(
    identity: VerifiedIdentity,
    code: string,
    ip: string,
  ): Promise<Schemas['RecoveryCodes']> {
    if (identity.subjectType !== 'user') throw usersOnly();
    return this.transactions.system(async (m) => {
      const user = await this.lockUser(m, identity.userId);
      if (user.totp_secret_sealed) throw ApiProblem.conflict('MFA is already on.');
      if (!user.totp_pending_sealed) throw ApiProblem.conflict('Start the enrolment first.');
      const recoveryCodes = await this.enable(m, user, code);
      if (!recoveryCodes) throw wrongEnrolmentCode();
      await scopeToTenant(m, identity.tenantId);
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'mfa.enable',
        outcome: 'success',
        actorId: user.id,
        subjectId: user.id,
        ip,
      });
      return { recoveryCodes };
    });
  }

  /** Needs the password (under the login throttle) and a current code; refused where the tenant requires MFA. */
  async disable(
    identity: VerifiedIdentity,
    request: Schemas['MfaDisableRequest'],
    ip: string,
  ): Promise<void> {
    if (identity.subjectType !== 'user') throw usersOnly();
    const factor = exactlyOneFactor(request);
    const [{ email }]: { email: string }[] = await this.transactions.system((m) =>
      m.query(`select email from users where id = $1`, [identity.userId]),
    );
    await this.sessions.authenticate(email, request.password, ip);
    const outcome = await this.transactions.system(async (m) => {
      await scopeToTenant(m, identity.tenantId);
      const [tenant]: { require_mfa: boolean }[] = await m.query(`select require_mfa from tenants`);
      if (tenant?.require_mfa)
        throw new ApiProblem(403, 'mfa_required_by_tenant', 'This tenant requires MFA for its members.');
      const user = await this.lockUser(m, identity.userId);
      const used = user.totp_secret_sealed ? await this.checkSecondFactor(m, user, factor) : null;
      const entry = { tenantId: identity.tenantId, actorId: user.id, subjectId: user.id, ip };
      if (!used) {
        await this.audit.record(m, { ...entry, action: 'mfa.disable', outcome: 'failure' });
        return 'wrong' as const;
      }
      await m.query(
        `update users set totp_secret_sealed = null, totp_pending_sealed = null, totp_enabled_at = null,
           totp_last_step = null, updated_at = now() where id = $1`,
        [user.id],
      );
      await m.query(`delete from mfa_recovery_codes where user_id = $1`, [user.id]);
      await this.audit.record(m, { ...entry, action: 'mfa.disable', outcome: 'success' });
      return 'done' as const;
    });
    if (outcome === 'wrong') throw invalidMfaCode();
  }

  /** The authenticator to add during a login whose tenant requires MFA of a user without it. */
  async startLoginEnrolment(mfaToken: string): Promise<Schemas['TotpEnrolment']> {
    const enrolment = await this.transactions.system(async (m) => {
      const challenge = await this.challenges.open(m, mfaToken);
      if (challenge?.purpose !== 'enrol') return undefined;
      const user = await this.lockUser(m, challenge.user_id);
      if (user.totp_secret_sealed) return undefined;
      return this.newPendingSecret(m, user);
    });
    if (!enrolment) throw invalidMfaChallenge();
    return enrolment;
  }

  /** The second login step: the challenge plus a TOTP or recovery code (or the enrolment code). */
  async completeLogin(request: Schemas['MfaLoginRequest'], ip: string): Promise<Schemas['MfaLoginResult']> {
    const factor = exactlyOneFactor(request);
    const outcome = await this.transactions.system(async (m) => {
      const challenge = await this.challenges.open(m, request.mfaToken);
      if (!challenge) return 'invalid' as const;
      const user = await this.lockUser(m, challenge.user_id);
      let recoveryCodes: string[] | undefined;
      let used: string | null = null;
      if (challenge.purpose === 'verify' && user.totp_secret_sealed)
        used = await this.checkSecondFactor(m, user, factor);
      else if (challenge.purpose === 'enrol' && user.totp_pending_sealed && factor.code) {
        recoveryCodes = await this.enable(m, user, factor.code);
        used = recoveryCodes ? 'enrolment' : null;
      }
      await scopeToTenant(m, challenge.tenant_id);
      const entry = { tenantId: challenge.tenant_id, actorId: user.id, ip };
      if (!used) {
        await this.challenges.recordFailure(m, challenge);
        await this.audit.record(m, { ...entry, action: 'mfa.verify', outcome: 'failure' });
        return 'wrong' as const;
      }
      return this.finishLogin(m, challenge, used, entry, recoveryCodes);
    });
    if (outcome === 'invalid') throw invalidMfaChallenge();
    if (outcome === 'wrong') throw invalidMfaCode();
    return outcome;
  }

  async tenantSettings(identity: VerifiedIdentity): Promise<Schemas['TenantSettings']> {
    return this.transactions.forTenant(identity.tenantId, async (m) => {
      const [tenant]: { require_mfa: boolean }[] = await m.query(`select require_mfa from tenants`);
      return { requireMfa: tenant?.require_mfa ?? false };
    });
  }

  async updateTenantSettings(
    identity: VerifiedIdentity,
    settings: Schemas['TenantSettings'],
    ip: string,
  ): Promise<Schemas['TenantSettings']> {
    return this.transactions.forTenant(identity.tenantId, async (m) => {
      await m.query(`update tenants set require_mfa = $1`, [settings.requireMfa]);
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'tenant.settings',
        outcome: 'success',
        actorType: identity.subjectType,
        actorId: identity.userId,
        ip,
        detail: { requireMfa: settings.requireMfa },
      });
      return { requireMfa: settings.requireMfa };
    });
  }

  private async finishLogin(
    m: EntityManager,
    challenge: OpenChallenge,
    secondFactor: string,
    entry: { tenantId: string; actorId: string; ip: string },
    recoveryCodes?: string[],
  ): Promise<Schemas['MfaLoginResult'] | 'invalid'> {
    await this.challenges.useUp(m, challenge);
    const [membership]: { role: Role }[] = await m.query(
      `select role from memberships where tenant_id = $1 and user_id = $2`,
      [challenge.tenant_id, challenge.user_id],
    );
    if (!membership) return 'invalid';
    if (secondFactor === 'recovery_code')
      await this.audit.record(m, { ...entry, action: 'mfa.recovery-code', outcome: 'success' });
    await this.audit.record(m, {
      ...entry,
      action: 'login',
      outcome: 'success',
      detail: { mfa: secondFactor },
    });
    const pair = await this.tokens.issue(m, {
      userId: challenge.user_id,
      tenantId: challenge.tenant_id,
      role: membership.role,
    });
    return recoveryCodes ? { ...pair, recoveryCodes } : pair;
  }

  private async lockUser(m: EntityManager, userId: string): Promise<MfaUserRow> {
    const [user]: MfaUserRow[] = await m.query(
      `select id, email, totp_secret_sealed, totp_pending_sealed, totp_last_step from users
       where id = $1 for update`,
      [userId],
    );
    if (!user) throw invalidMfaChallenge();
    return user;
  }

  private async newPendingSecret(m: EntityManager, user: MfaUserRow): Promise<Schemas['TotpEnrolment']> {
    const secret = newTotpSecret();
    await m.query(`update users set totp_pending_sealed = $2, updated_at = now() where id = $1`, [
      user.id,
      sealText(secret, this.keyEncryptionKey, sealingContext(user.id)),
    ]);
    return { otpauthUri: otpauthUri(secret, user.email, ISSUER_NAME), secret };
  }

  /** Turns the pending secret on when the code is its current one; returns the new recovery codes. */
  private async enable(m: EntityManager, user: MfaUserRow, code: string): Promise<string[] | undefined> {
    const pending = unsealText(user.totp_pending_sealed!, this.keyEncryptionKey, sealingContext(user.id));
    const step = acceptedTotpStep(pending, code, { now: Date.now() });
    if (step === null) return undefined;
    await m.query(
      `update users set totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = null,
         totp_enabled_at = now(), totp_last_step = $2, updated_at = now() where id = $1`,
      [user.id, step],
    );
    const codes = newRecoveryCodes();
    await m.query(`delete from mfa_recovery_codes where user_id = $1`, [user.id]);
    await m.query(`insert into mfa_recovery_codes (user_id, code_hash) select $1, unnest($2::text[])`, [
      user.id,
      codes.map(hashRecoveryCode),
    ]);
    return codes;
  }

  /** Checks and uses up a TOTP code (its step may never be used again) or a recovery code. */
  private async checkSecondFactor(
    m: EntityManager,
    user: MfaUserRow,
    factor: SecondFactor,
  ): Promise<string | null> {
    if (factor.code) {
      const secret = unsealText(user.totp_secret_sealed!, this.keyEncryptionKey, sealingContext(user.id));
      const lastStep = user.totp_last_step === null ? null : Number(user.totp_last_step);
      const step = acceptedTotpStep(secret, factor.code, { now: Date.now(), lastStep });
      if (step === null) return null;
      await m.query(`update users set totp_last_step = $2 where id = $1`, [user.id, step]);
      return 'totp';
    }
    const unused: { code_hash: string }[] = await m.query(
      `select code_hash from mfa_recovery_codes where user_id = $1 and used_at is null`,
      [user.id],
    );
    const hash = findRecoveryCode(
      factor.recoveryCode!,
      unused.map((r) => r.code_hash),
    );
    if (!hash) return null;
    await m.query(`update mfa_recovery_codes set used_at = now() where user_id = $1 and code_hash = $2`, [
      user.id,
      hash,
    ]);
    return 'recovery_code';
  }
}

function exactlyOneFactor(request: SecondFactor): SecondFactor {
  if (!request.code === !request.recoveryCode) throw oneFactorNeeded();
  return { code: request.code, recoveryCode: request.recoveryCode };
}
