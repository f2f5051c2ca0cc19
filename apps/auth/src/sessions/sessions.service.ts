import { Inject, Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Role } from '../access/roles';
import { sha256 } from '../api-keys/api-key-format';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { MfaChallenges } from '../mfa/mfa-challenges';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { loadCommonPasswords, normaliseEmail, passwordProblem } from './password-policy';
import { invalidRefreshToken, tooManyAttempts, weakPassword, wrongCredentials } from './problems';
import { SessionTokens } from './session-tokens';
import { scopeToTenant, scopeToUser } from './tenant-scope';

type Schemas = authApi.components['schemas'];

interface UserRow {
  id: string;
  password_hash: string;
  mfa_enabled: boolean;
}

/** Registration, login, refresh-token rotation with reuse detection, logout. */
@Injectable()
export class SessionsService {
  readonly commonPasswords = loadCommonPasswords();

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly transactions: Transactions,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditLog,
    private readonly challenges: MfaChallenges,
  ) {}

  checkPassword(password: string): void {
    const problem = passwordProblem(password, this.commonPasswords);
    if (problem) throw weakPassword(problem);
  }

  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  findUser(manager: EntityManager, email: string): Promise<UserRow | undefined> {
    return manager
      .query(
        `select id, password_hash, totp_enabled_at is not null as mfa_enabled from users
         where email_normalized = $1`,
        [normaliseEmail(email)],
      )
      .then((rows: UserRow[]) => rows[0]);
  }

  /**
   * Checks a password under the login throttle (429 while locked), recording failures; returns
   * the user. Unknown email and wrong password fail alike, in about the same time.
   */
  async authenticate(email: string, password: string, ip: string): Promise<UserRow> {
    const keys = this.throttle.keysFor(normaliseEmail(email), ip);
    const { wait, user } = await this.transactions.system(async (m) => ({
      wait: await this.throttle.retryAfter(m, [keys.account, keys.address]),
      user: await this.findUser(m, email),
    }));
    if (wait > 0) throw tooManyAttempts(wait);
    if (!(await this.hasher.verify(user?.password_hash, password))) {
      await this.transactions.system(async (m) => {
        await this.throttle.recordFailure(m, keys.account, this.config.AUTH_LOGIN_MAX_FAILURES);
        await this.throttle.recordFailure(m, keys.address, this.config.AUTH_IP_MAX_FAILURES);
        await this.audit.record(m, {
          tenantId: null,
          action: 'login',
          outcome: 'failure',
          actorId: user?.id,
          ip,
          detail: { reason: user ? 'wrong_password' : 'unknown_user' },
        });
      });
      throw wrongCredentials();
    }
    await this.transactions.system(async (m) => {
      await this.throttle.clear(m, keys.account);
      if (this.hasher.needsRehash(user!.password_hash))
        await m.query(`update users set password_hash = $2, updated_at = now() where id = $1`, [
          user!.id,
          await this.hasher.hash(password),
        ]);
    });
    return user!;
  }

  async register(request: Schemas['RegisterRequest'], ip: string): Promise<Schemas['Registration']> {
    this.checkPassword(request.password);
    const existing = await this.transactions.system((m) => this.findUser(m, request.email));
    const userId = existing
      ? (await this.authenticate(request.email, request.password, ip)).id
      : randomUUID();
    const passwordHash = existing ? undefined : await this.hasher.hash(request.password);
    const tenantId = randomUUID();
    return this.transactions.system(async (m) => {
      if (passwordHash) {
        const inserted = await m.query(
          `insert into users (id, email, email_normalized, password_hash) values ($1, $2, $3, $4)
           on conflict (email_normalized) do nothing returning id`,
          [userId, request.email, normaliseEmail(request.email), passwordHash],
        );
        if (!inserted.length) throw wrongCredentials();
      }
      await scopeToTenant(m, tenantId);
      await m.query(`insert into tenants (tenant_id, name) values ($1, $2)`, [tenantId, request.tenantName]);
      await m.query(`insert into memberships (tenant_id, user_id, role) values ($1, $2, 'owner')`, [
        tenantId,
        userId,
      ]);
      await this.audit.record(m, { tenantId, action: 'register', outcome: 'success', actorId: userId, ip });
      const now = new Date().toISOString();
      await addToOutbox(m, 'auth.tenant.created.v1', {
        tenantId,
        key: tenantId,
        payload: { tenantId, name: request.tenantName, ownerUserId: userId, createdAt: now },
      });
      await addToOutbox(m, 'auth.member.changed.v1', {
        tenantId,
        key: tenantId,
        payload: { tenantId, userId, change: 'added', role: 'owner', changedBy: userId, changedAt: now },
      });
      return { tenantId, userId, role: 'owner' as const };
    });
  }

  /**
   * Password step of a login. Without MFA it returns the tokens; with MFA (or when the tenant
   * requires MFA of a user who has none) it returns a challenge for the second step.
   */
  async login(
    request: Schemas['LoginRequest'],
    ip: string,
  ): Promise<Schemas['TokenPair'] | Schemas['MfaChallenge']> {
    const user = await this.authenticate(request.email, request.password, ip);
    return this.transactions
      .system(async (m) => {
        await scopeToUser(m, user.id);
        const memberships: { tenant_id: string; role: Role }[] = await m.query(
          `select tenant_id, role from memberships where user_id = $1 order by created_at, tenant_id`,
          [user.id],
        );
        const membership = request.tenantId
          ? memberships.find((x) => x.tenant_id === request.tenantId)
          : memberships[0];
        if (!membership) {
          await this.audit.record(m, {
            tenantId: null,
            action: 'login',
            outcome: 'failure',
            actorId: user.id,
            ip,
            detail: { reason: 'no_membership', tenantId: request.tenantId ?? null },
          });
          return undefined;
        }
        await scopeToTenant(m, membership.tenant_id);
        const [tenant]: { require_mfa: boolean }[] = await m.query(`select require_mfa from tenants`);
        if (user.mfa_enabled || tenant?.require_mfa)
          return this.challenges.create(m, {
            userId: user.id,
            tenantId: membership.tenant_id,
            purpose: user.mfa_enabled ? 'verify' : 'enrol',
          });
        await this.audit.record(m, {
          tenantId: membership.tenant_id,
          action: 'login',
          outcome: 'success',
          actorId: user.id,
          ip,
        });
        return this.tokens.issue(m, {
          userId: user.id,
          tenantId: membership.tenant_id,
          role: membership.role,
        });
      })
      .then((pair) => pair ?? Promise.reject(wrongCredentials()));
  }

  /**
   * Uses up a refresh token and returns the next of its family. A token presented a second time
   * means it was stolen (or the client is broken): the whole family is revoked.
   */
  async refresh(refreshToken: string, ip: string): Promise<Schemas['TokenPair']> {
    const outcome = await this.transactions.system(async (m) => {
      const [token]: {
        family_id: string;
        used: boolean;
        idle_expired: boolean;
        user_id: string;
        tenant_id: string;
        family_dead: boolean;
      }[] = await m.query(
        `select t.family_id, t.used_at is not null as used, t.idle_expires_at <= now() as idle_expired,
                f.user_id, f.tenant_id, (f.revoked_at is not null or f.expires_at <= now()) as family_dead
         from refresh_tokens t join refresh_families f on f.id = t.family_id
         where t.token_hash = $1 for update of t, f`,
        [sha256(refreshToken)],
      );
      if (!token) return 'invalid' as const;
      await scopeToTenant(m, token.tenant_id);
      const entry = { tenantId: token.tenant_id, actorId: token.user_id, subjectId: token.family_id, ip };
      if (token.used) {
        await this.revokeFamilies(m, 'family_id = $1', [token.family_id], 'reuse');
        await this.audit.record(m, { ...entry, action: 'refresh.reuse', outcome: 'failure' });
        return 'reused' as const;
      }
      if (token.family_dead || token.idle_expired) return 'invalid' as const;
      const [membership]: { role: Role }[] = await m.query(
        `select role from memberships where tenant_id = $1 and user_id = $2`,
        [token.tenant_id, token.user_id],
      );
      if (!membership) {
        await this.revokeFamilies(m, 'family_id = $1', [token.family_id], 'membership_ended');
        return 'invalid' as const;
      }
      await m.query(`update refresh_tokens set used_at = now() where token_hash = $1`, [
        sha256(refreshToken),
      ]);
      await this.audit.record(m, { ...entry, action: 'refresh', outcome: 'success' });
      return this.tokens.issue(m, {
        userId: token.user_id,
        tenantId: token.tenant_id,
        role: membership.role,
        familyId: token.family_id,
      });
    });
    if (typeof outcome === 'string') throw invalidRefreshToken();
    return outcome;
  }

  async logout(refreshToken: string, ip: string): Promise<void> {
    await this.transactions.system(async (m) => {
      const [family]: { id: string; user_id: string; tenant_id: string }[] = await m.query(
        `select f.id, f.user_id, f.tenant_id from refresh_tokens t join refresh_families f on f.id = t.family_id
         where t.token_hash = $1`,
        [sha256(refreshToken)],
      );
      if (!family) return;
      await this.revokeFamilies(m, 'family_id = $1', [family.id], 'logout');
      await scopeToTenant(m, family.tenant_id);
      await this.audit.record(m, {
        tenantId: family.tenant_id,
        action: 'logout',
        outcome: 'success',
        actorId: family.user_id,
        subjectId: family.id,
        ip,
      });
    });
  }

  async logoutEverywhere(identity: VerifiedIdentity, ip: string): Promise<void> {
    await this.transactions.forTenant(identity.tenantId, async (m) => {
      await this.revokeFamilies(m, 'user_id = $1', [identity.userId], 'logout_everywhere');
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'logout',
        outcome: 'success',
        actorId: identity.userId,
        ip,
        detail: { everywhere: true },
      });
    });
  }

  /** Revokes the families matching `where` (on refresh_families; `family_id` names its id). */
  async revokeFamilies(m: EntityManager, where: string, values: unknown[], reason: string): Promise<void> {
    await m.query(
      `update refresh_families set revoked_at = now(), revoked_reason = $${values.length + 1}
       where ${where.replace('family_id', 'id')} and revoked_at is null`,
      [...values, reason],
    );
  }
}
