import { Inject, Injectable } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { permissionsOfScopes } from '../access/roles';
import { AuditLog } from '../audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { SigningKeys } from '../signing/signing-keys';
import { displayPrefix, generateApiKey, isWellFormedApiKey, matchesHash, sha256 } from './api-key-format';

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

/** One answer for every key that does not work, so the answer tells nothing about the key. */
const invalidApiKey = () => new ApiProblem(401, 'invalid_api_key', 'The API key is not valid.');

interface ExchangeRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  scopes: Schemas['ApiKeyScope'][];
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** A tenant's API keys: the secret is returned once at creation; only its SHA-256 is stored. */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly keys: SigningKeys,
  ) {}

  /**
   * Trades a key for an access token (`sty: api_key`, `sub` = key id, perms from its scopes).
   * The key names its tenant, so the lookup goes through `api_key_for_exchange` (see the
   * MfaKeysAudit migration); everything after it runs under the key's tenant.
   */
  async exchange(apiKey: string, ip: string): Promise<Schemas['ApiKeyAccessToken']> {
    if (!isWellFormedApiKey(apiKey)) throw invalidApiKey();
    const [row]: ExchangeRow[] = await this.transactions.system((m) =>
      m.query(
        `select id, tenant_id, key_hash, scopes, expires_at, revoked_at from api_key_for_exchange($1)`,
        [sha256(apiKey)],
      ),
    );
    if (!row || !matchesHash(apiKey, row.key_hash)) throw invalidApiKey();
    const usable = !row.revoked_at && (!row.expires_at || row.expires_at.getTime() > Date.now());
    await this.transactions.forTenant(row.tenant_id, async (m) => {
      if (usable)
        await m.query(
          `update api_keys set last_used_at = now()
           where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
          [row.id],
        );
      await this.audit.record(m, {
        tenantId: row.tenant_id,
        action: 'api-key.exchange',
        outcome: usable ? 'success' : 'failure',
        actorType: 'api_key',
        actorId: row.id,
        subjectId: row.id,
        ip,
        detail: usable ? {} : { reason: row.revoked_at ? 'revoked' : 'expired' },
      });
    });
    if (!usable) throw invalidApiKey();
    const ttl = this.config.AUTH_ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await this.keys.sign(
      { sub: row.id, sty: 'api_key', tid: row.tenant_id, perms: permissionsOfScopes(row.scopes) },
      ttl,
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: ttl,
      keyId: row.id,
      tenantId: row.tenant_id,
      scopes: row.scopes,
    };
  }

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
