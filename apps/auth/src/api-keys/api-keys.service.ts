import { Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log';
import { displayPrefix, generateApiKey, sha256 } from './api-key-format';

type Schemas = authApi.components['schemas'];
interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Schemas['ApiKeyScope'][];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
const toApiKey = (r: ApiKeyRow): Schemas['ApiKey'] => ({
  keyId: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: r.created_at.toISOString(),
  expiresAt: iso(r.expires_at),
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});
const COLUMNS = 'id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at';

/** A tenant's API keys: the secret is returned once at creation; only its SHA-256 is stored. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(
    identity: VerifiedIdentity,
    request: Schemas['ApiKeyRequest'],
    ip: string,
  ): Promise<Schemas['CreatedApiKey']> {
    if (request.expiresAt && Date.parse(request.expiresAt) <= Date.now())
      throw ApiProblem.badRequest('The key would already be expired.', [
        { field: '/body/expiresAt', message: 'must be in the future' },
      ]);
    const key = generateApiKey();
    return this.transactions.forTenant(identity.tenantId, async (m) => {
      const [row]: ApiKeyRow[] = await m.query(
        `insert into api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_by, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
        [
          randomUUID(),
          identity.tenantId,
          request.name,
          displayPrefix(key),
          sha256(key),
          request.scopes,
          identity.userId,
          request.expiresAt ?? null,
        ],
      );
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'api-key.create',
        outcome: 'success',
        actorId: identity.userId,
        subjectId: row.id,
        ip,
        detail: { scopes: request.scopes },
      });
      return { ...toApiKey(row), key };
    });
  }

  list(identity: VerifiedIdentity): Promise<Schemas['ApiKeyList']> {
    return this.transactions.forTenant(identity.tenantId, async (m) => ({
      items: (
        (await m.query(`select ${COLUMNS} from api_keys order by created_at desc, id`)) as ApiKeyRow[]
      ).map(toApiKey),
    }));
  }

  async get(identity: VerifiedIdentity, keyId: string, ip: string): Promise<Schemas['ApiKey']> {
    return toApiKey(await this.find(identity, keyId, ip, async (_m, row) => row));
  }

  async revoke(identity: VerifiedIdentity, keyId: string, ip: string): Promise<void> {
    await this.find(identity, keyId, ip, async (m, row) => {
      if (row.revoked_at) return row;
      // TypeORM returns [rows, affected] for UPDATE.
      const [[{ revoked_at }]] = await m.query(
        `update api_keys set revoked_at = now() where id = $1 returning revoked_at`,
        [keyId],
      );
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'api-key.revoke',
        outcome: 'success',
        actorId: identity.userId,
        subjectId: keyId,
        ip,
      });
      await addToOutbox(m, 'auth.api-key.revoked.v1', {
        tenantId: identity.tenantId,
        key: identity.tenantId,
        payload: {
          tenantId: identity.tenantId,
          keyId,
          prefix: row.prefix,
          revokedBy: identity.userId,
          revokedAt: (revoked_at as Date).toISOString(),
        },
      });
      return row;
    });
  }

  /** A key of the caller's tenant, locked; any other id is 404, and the attempt is audited. */
  private async find(
    identity: VerifiedIdentity,
    keyId: string,
    ip: string,
    fn: (m: EntityManager, row: ApiKeyRow) => Promise<ApiKeyRow>,
  ): Promise<ApiKeyRow> {
    const found = await this.transactions.forTenant(identity.tenantId, async (m) => {
      const [row]: ApiKeyRow[] = await m.query(`select ${COLUMNS} from api_keys where id = $1 for update`, [
        keyId,
      ]);
      if (row) return fn(m, row);
      await this.audit.record(m, {
        tenantId: identity.tenantId,
        action: 'access.not-found',
        outcome: 'failure',
        actorId: identity.userId,
        subjectId: keyId,
        ip,
        detail: { resource: 'api-key' },
      });
      return undefined;
    });
    if (!found) throw ApiProblem.notFound(`No API key ${keyId} in this tenant.`);
    return found;
  }
}
