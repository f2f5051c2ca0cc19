import { createServiceDataSource, withTenant } from '@sextant/platform/database';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuditLog } from './audit-log';

// The auth schema as the auth app role sees it (migrations applied by the global setup).
describe('auth schema (real PostgreSQL, auth app role)', () => {
  const urls = serviceUrls(testEnvironment(), 'auth');
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let app: DataSource;

  const audit = (tenant: string) =>
    withTenant(app, tenant, (m) =>
      m.query(`insert into audit_events (tenant_id, action, outcome) values ($1, 'login', 'success')`, [
        tenant,
      ]),
    );

  beforeAll(async () => {
    app = await createServiceDataSource({ schema: 'auth', url: urls.appUrl, entities: [] }).initialize();
    await audit(tenantA);
    await audit(tenantB);
  });
  afterAll(() => app.destroy());

  it('keeps the audit log append-only for the app role', async () => {
    await expect(
      withTenant(app, tenantA, (m) => m.query(`update audit_events set outcome = 'failure'`)),
    ).rejects.toThrow(/permission denied/);
    await expect(withTenant(app, tenantA, (m) => m.query(`delete from audit_events`))).rejects.toThrow(
      /permission denied/,
    );
    await expect(app.query(`truncate audit_events`)).rejects.toThrow(/permission denied/);
  });

  it("shows a tenant only its own audit events and never another tenant's", async () => {
    const rows = await withTenant(app, tenantA, (m) => m.query(`select tenant_id from audit_events`));
    expect(rows).toEqual([{ tenant_id: tenantA }]);
    await expect(
      withTenant(app, tenantA, (m) =>
        m.query(`insert into audit_events (tenant_id, action, outcome) values ($1, 'login', 'success')`, [
          tenantB,
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('records tenantless attempts that no tenant can read', async () => {
    await app.query(
      `insert into audit_events (tenant_id, action, outcome) values (null, 'login', 'failure')`,
    );
    const seen = await withTenant(app, tenantA, (m) =>
      m.query(`select * from audit_events where tenant_id is null`),
    );
    expect(seen).toEqual([]);
  });

  it('puts memberships, invites and API keys under RLS; a user sees their own memberships only when named', async () => {
    const userId = randomUUID();
    await app.query(
      `insert into users (id, email, email_normalized, password_hash) values ($1, $2, $2, 'x')`,
      [userId, `${userId}@example.com`],
    );
    await withTenant(app, tenantB, (m) =>
      m.query(`insert into memberships (tenant_id, user_id, role) values ($1, $2, 'viewer')`, [
        tenantB,
        userId,
      ]),
    );
    expect(await withTenant(app, tenantA, (m) => m.query(`select * from memberships`))).toEqual([]);
    expect(await app.query(`select * from memberships`)).toEqual([]);
    const own = await app.transaction(async (m) => {
      await m.query(`select set_config('app.user_id', $1, true)`, [userId]);
      return m.query(`select tenant_id, role from memberships`);
    });
    expect(own).toEqual([{ tenant_id: tenantB, role: 'viewer' }]);
    for (const table of ['api_keys', 'invites', 'tenants', 'memberships', 'audit_events']) {
      const [{ relrowsecurity, relforcerowsecurity }] = await app.query(
        `select relrowsecurity, relforcerowsecurity from pg_class where oid = $1::regclass`,
        [`auth.${table}`],
      );
      expect({ table, relrowsecurity, relforcerowsecurity }).toEqual({
        table,
        relrowsecurity: true,
        relforcerowsecurity: true,
      });
    }
  });

  it('stores signing keys only sealed', async () => {
    const keys = await app.query(`select private_key_sealed from signing_keys`);
    for (const { private_key_sealed } of keys) expect(private_key_sealed).toMatch(/^v1\./);
  });

  it('finds an API key by its hash outside RLS only through api_key_for_exchange, and only that key', async () => {
    const keyId = randomUUID();
    const hash = randomUUID().replace(/-/g, '');
    await withTenant(app, tenantB, (m) =>
      m.query(
        `insert into api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_by)
         values ($1, $2, 'k', 'sxt_live_abcd', $3, '{ingest}', $4)`,
        [keyId, tenantB, hash, randomUUID()],
      ),
    );
    expect(await app.query(`select * from api_keys`)).toEqual([]);
    expect(await withTenant(app, tenantA, (m) => m.query(`select * from api_keys`))).toEqual([]);
    const [found] = await app.query(`select id, tenant_id, scopes from api_key_for_exchange($1)`, [hash]);
    expect(found).toEqual({ id: keyId, tenant_id: tenantB, scopes: ['ingest'] });
    expect(await app.query(`select * from api_key_for_exchange($1)`, ['no such hash'])).toEqual([]);
    // The function is no way to change keys, and the app role cannot redefine it.
    await expect(
      app.query(
        `create or replace function api_key_for_exchange(p text) returns int language sql as 'select 1'`,
      ),
    ).rejects.toThrow(/permission denied|must be owner/);
  });

  it('stores audit events of other services once per event id (AuditLog.store)', async () => {
    const eventId = randomUUID();
    const event = {
      tenantId: tenantA,
      service: 'ingestion',
      action: 'recordPing',
      outcome: 'denied' as const,
      actor: { type: 'service' as const, id: 'reporting' },
      resource: { type: '/api/v1/ingestion/pings', id: null },
      occurredAt: '2026-11-29T10:00:00.000Z',
      requestId: 'r-1',
      ip: '203.0.113.7',
      details: { status: 403 },
    };
    const log = new AuditLog();
    await withTenant(app, tenantA, (m) => log.store(m, eventId, event));
    await withTenant(app, tenantA, (m) => log.store(m, eventId, event));
    const page = await withTenant(app, tenantA, (m) => log.query(m, { service: 'ingestion', limit: 10 }));
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      service: 'ingestion',
      action: 'recordPing',
      outcome: 'denied',
      actorType: 'service',
      actorId: 'reporting',
      requestId: 'r-1',
      ip: '203.0.113.7',
      occurredAt: '2026-11-29T10:00:00.000Z',
      detail: { status: 403, resource: event.resource },
    });
  });
});
