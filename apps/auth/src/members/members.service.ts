import { Inject, Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { mayAssign, type Role } from '../access/roles';
import { sha256 } from '../api-keys/api-key-format';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { normaliseEmail } from '../sessions/password-policy';
import { SessionsService } from '../sessions/sessions.service';

type Schemas = authApi.components['schemas'];
interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  created_at: Date;
}

const toMember = (r: MemberRow): Schemas['Member'] => ({
  userId: r.user_id,
  email: r.email,
  role: r.role,
  joinedAt: r.created_at.toISOString(),
});
const forbidden = (message: string) => new ApiProblem(403, 'forbidden', message);
const INVITE_TOKEN = /^sxi_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** Memberships of the caller's tenant: list, read, change role, remove, invite, accept. */
@Injectable()
export class MembersService {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly sessions: SessionsService,
  ) {}

  list(identity: VerifiedIdentity): Promise<Schemas['MemberList']> {
    return this.transactions.forTenant(identity.tenantId, async (m) => ({
      items: (await this.rows(m, identity.tenantId)).map(toMember),
    }));
  }

  get(identity: VerifiedIdentity, userId: string, ip: string): Promise<Schemas['Member']> {
    return this.withMember(identity, userId, ip, async (_m, member) => toMember(member));
  }

  async changeRole(identity: VerifiedIdentity, userId: string, role: Role, ip: string) {
    return this.withMember(identity, userId, ip, async (m, member, actorRole) => {
      if (!mayAssign(actorRole, member.role, role))
        throw forbidden('Only an owner may change the owner role.');
      if (member.role === 'owner' && role !== 'owner') await this.assertNotLastOwner(m, identity.tenantId);
      await m.query(`update memberships set role = $3 where tenant_id = $1 and user_id = $2`, [
        identity.tenantId,
        userId,
        role,
      ]);
      await this.changed(m, identity, userId, 'role-changed', role, ip, { from: member.role, to: role });
      return toMember({ ...member, role });
    });
  }

  async remove(identity: VerifiedIdentity, userId: string, ip: string): Promise<void> {
    await this.withMember(identity, userId, ip, async (m, member, actorRole) => {
      if (!mayAssign(actorRole, member.role, undefined))
        throw forbidden('Only an owner may remove an owner.');
      if (member.role === 'owner') await this.assertNotLastOwner(m, identity.tenantId);
      await m.query(`delete from memberships where tenant_id = $1 and user_id = $2`, [
        identity.tenantId,
        userId,
      ]);
      await this.sessions.revokeFamilies(
        m,
        'user_id = $1 and tenant_id = $2',
        [userId, identity.tenantId],
        'removed',
      );
      await this.changed(m, identity, userId, 'removed', null, ip, { role: member.role });
    });
  }

  async invite(identity: VerifiedIdentity, request: Schemas['InviteRequest'], ip: string) {
    return this.transactions.forTenant(identity.tenantId, async (m) => {
      const actorRole = await this.actorRole(m, identity);
      if (!mayAssign(actorRole, undefined, request.role))
        throw forbidden('Only an owner may invite an owner.');
      const email = normaliseEmail(request.email);
      const [member] = await m.query(
        `select 1 from memberships ms join users u on u.id = ms.user_id
         where ms.tenant_id = $1 and u.email_normalized = $2`,
        [identity.tenantId, email],
      );
      if (member) throw ApiProblem.conflict('That person is already a member.');
      const inviteId = randomUUID();
      const inviteToken = `sxi_${identity.tenantId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
      const [{ expires_at }]: { expires_at: Date }[] = await m.query(
        `insert into invites (id, tenant_id, email_normalized, role, token_hash, invited_by, expires_at)
         values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7)) returning expires_at`,
        [
          inviteId,
          identity.tenantId,
          email,
          request.role,
          sha256(inviteToken),
          identity.userId,
          this.config.AUTH_INVITE_TTL_SECONDS,
        ],
      );
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'invite.create',
        outcome: 'success',
        actorId: identity.userId,
        subjectId: inviteId,
        ip,
        detail: { role: request.role },
      });
      return {
        inviteId,
        email: request.email,
        role: request.role,
        inviteToken,
        expiresAt: expires_at.toISOString(),
      };
    });
  }

  /** Creates the invited user (or checks an existing user's password) and adds the membership. */
  async accept(request: Schemas['AcceptInviteRequest'], ip: string): Promise<Schemas['Registration']> {
    const match = INVITE_TOKEN.exec(request.inviteToken);
    const invalid = () => new ApiProblem(401, 'invalid_invite', 'The invitation is not valid.');
    if (!match) throw invalid();
    const tenantId = match[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const [invite]: { id: string; email_normalized: string; role: Role }[] =
      await this.transactions.forTenant(tenantId, (m) =>
        m.query(
          `select id, email_normalized, role from invites
           where token_hash = $1 and accepted_at is null and expires_at > now()`,
          [sha256(request.inviteToken)],
        ),
      );
    if (!invite) throw invalid();
    const existing = await this.transactions.system((m) =>
      this.sessions.findUser(m, invite.email_normalized),
    );
    let userId: string;
    let passwordHash: string | undefined;
    if (existing)
      userId = (await this.sessions.authenticate(invite.email_normalized, request.password, ip)).id;
    else {
      this.sessions.checkPassword(request.password);
      userId = randomUUID();
      passwordHash = await this.sessions.hashPassword(request.password);
    }
    return this.transactions.forTenant(tenantId, async (m) => {
      const [used] = await m.query(
        `update invites set accepted_at = now() where id = $1 and accepted_at is null returning id`,
        [invite.id],
      );
      if (!used.length) throw invalid();
      if (passwordHash)
        await m.query(
          `insert into users (id, email, email_normalized, password_hash) values ($1, $2, $2, $3)`,
          [userId, invite.email_normalized, passwordHash],
        );
      const [added] = await m.query(
        `insert into memberships (tenant_id, user_id, role) values ($1, $2, $3) on conflict do nothing returning user_id`,
        [tenantId, userId, invite.role],
      );
      if (!added) throw ApiProblem.conflict('You are already a member of this tenant.');
      const actor = { userId, tenantId } as VerifiedIdentity;
      await this.audit.record(m, {
        tenantId,
        action: 'invite.accept',
        outcome: 'success',
        actorId: userId,
        subjectId: invite.id,
        ip,
      });
      await this.changed(m, actor, userId, 'added', invite.role, ip, undefined);
      return { tenantId, userId, role: invite.role };
    });
  }

  private rows(m: EntityManager, tenantId: string, userId?: string): Promise<MemberRow[]> {
    return m.query(
      `select ms.user_id, u.email, ms.role, ms.created_at from memberships ms join users u on u.id = ms.user_id
       where ms.tenant_id = $1 ${userId ? 'and ms.user_id = $2' : ''} order by ms.created_at, ms.user_id`,
      userId ? [tenantId, userId] : [tenantId],
    );
  }

  /** The caller's role now (not the one in the token, which may be up to 10 minutes old). */
  private async actorRole(m: EntityManager, identity: VerifiedIdentity): Promise<Role> {
    const [row] = await m.query(`select role from memberships where tenant_id = $1 and user_id = $2`, [
      identity.tenantId,
      identity.userId,
    ]);
    if (!row) throw forbidden('You are no longer a member of this tenant.');
    return row.role;
  }

  /** Runs fn with the member locked; a user who is not a member here is 404 and audited. */
  private withMember<T>(
    identity: VerifiedIdentity,
    userId: string,
    ip: string,
    fn: (m: EntityManager, member: MemberRow, actorRole: Role) => Promise<T>,
  ): Promise<T> {
    return this.transactions
      .forTenant(identity.tenantId, async (m) => {
        const actorRole = await this.actorRole(m, identity);
        const [member] = await this.rows(m, identity.tenantId, userId);
        if (!member) {
          await this.audit.record(m, {
            tenantId: identity.tenantId,
            action: 'access.not-found',
            outcome: 'failure',
            actorId: identity.userId,
            subjectId: userId,
            ip,
            detail: { resource: 'member' },
          });
          return { missing: true as const };
        }
        await m.query(`select 1 from memberships where tenant_id = $1 and user_id = $2 for update`, [
          identity.tenantId,
          userId,
        ]);
        return { missing: false as const, value: await fn(m, member, actorRole) };
      })
      .then((r) => {
        if (r.missing) throw ApiProblem.notFound(`No member ${userId} in this tenant.`);
        return r.value;
      });
  }

  private async assertNotLastOwner(m: EntityManager, tenantId: string) {
    const [{ owners }] = await m.query(
      `select count(*)::int as owners from memberships where tenant_id = $1 and role = 'owner'`,
      [tenantId],
    );
    if (owners <= 1) throw ApiProblem.conflict('A tenant needs at least one owner.');
  }

  private async changed(
    m: EntityManager,
    identity: Pick<VerifiedIdentity, 'userId' | 'tenantId'>,
    userId: string,
    change: 'added' | 'role-changed' | 'removed',
    role: Role | null,
    ip: string,
    detail: Record<string, unknown> | undefined,
  ) {
    if (change !== 'added')
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: change === 'removed' ? 'member.remove' : 'member.role-change',
        outcome: 'success',
        actorId: identity.userId,
        subjectId: userId,
        ip,
        detail,
      });
    await addToOutbox(m, 'auth.member.changed.v1', {
      tenantId: identity.tenantId,
      key: identity.tenantId,
      payload: {
        tenantId: identity.tenantId,
        userId,
        change,
        role,
        changedBy: identity.userId,
        changedAt: new Date().toISOString(),
      },
    });
  }
}
