import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createServiceDataSource, preparedQuery, readAsTenant, withTenant } from './data-source';

// Runs against ingestion.pings, a real tenant-scoped table created by ingestion's migration, as the
// ingestion app role: the role every request runs as.
describe('row-level security (real PostgreSQL, ingestion app role)', () => {
  const env = testEnvironment();
  const urls = serviceUrls(env, 'ingestion');
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let app: DataSource;

  const insertPing = (tenant: string, rowTenant = tenant) =>
    withTenant(app, tenant, (m) =>
      m.query(
        `insert into pings (id, tenant_id, note, recorded_at) values ($1, $2, 'x', now()) returning id`,
        [randomUUID(), rowTenant],
      ),
    );

  beforeAll(async () => {
    app = await createServiceDataSource({ schema: 'ingestion', url: urls.appUrl, entities: [] }).initialize();
    await insertPing(tenantA);
    await insertPing(tenantB);
    await insertPing(tenantB);
  });
  afterAll(() => app.destroy());

  /** A pool of one connection: what one use leaves on it, the next one sees. */
  const singleConnection = () =>
    createServiceDataSource({
      schema: 'ingestion',
      url: urls.appUrl,
      entities: [],
      poolSize: 1,
    }).initialize();

  it('shows a tenant only its own rows, even when asked for another tenant by id', async () => {
    const own = await withTenant(app, tenantA, (m) => m.query('select tenant_id from pings'));
    expect(own).toEqual([{ tenant_id: tenantA }]);
    const other = await withTenant(app, tenantA, (m) =>
      m.query('select * from pings where tenant_id = $1', [tenantB]),
    );
    expect(other).toEqual([]);
    const counted = await withTenant(app, tenantB, (m) => m.query('select count(*)::int as n from pings'));
    expect(counted).toEqual([{ n: 2 }]);
  });

  it("refuses to write another tenant's rows", async () => {
    await expect(insertPing(tenantA, tenantB)).rejects.toThrow(/row-level security/);
    const [, updated] = await withTenant(app, tenantA, (m) =>
      m.query(`update pings set note = 'stolen' where tenant_id = $1`, [tenantB]),
    );
    expect(updated).toBe(0);
    const [, deleted] = await withTenant(app, tenantA, (m) =>
      m.query('delete from pings where tenant_id = $1', [tenantB]),
    );
    expect(deleted).toBe(0);
    const notes = await withTenant(app, tenantB, (m) => m.query('select note from pings'));
    expect(notes).toEqual([{ note: 'x' }, { note: 'x' }]);
  });

  it('reads one snapshot in a REPEATABLE READ tenant transaction, and every commit in READ COMMITTED', async () => {
    const count = (m: { query(sql: string): Promise<{ n: number }[]> }) =>
      m.query('select count(*)::int as n from pings').then(([row]) => row.n);
    const seen = async (isolation: 'READ COMMITTED' | 'REPEATABLE READ') =>
      withTenant(
        app,
        tenantA,
        async (m) => {
          const before = await count(m);
          await insertPing(tenantA); // another transaction commits between the two reads
          return (await count(m)) - before;
        },
        isolation,
      );
    expect(await seen('REPEATABLE READ')).toBe(0);
    expect(await seen('READ COMMITTED')).toBe(1);
  });

  it('shows nothing and accepts nothing when no tenant is set', async () => {
    expect(await app.query('select * from pings')).toEqual([]);
    await expect(
      app.query(`insert into pings (id, tenant_id, recorded_at) values ($1, $2, now())`, [
        randomUUID(),
        tenantA,
      ]),
    ).rejects.toThrow(/row-level security/);
  });

  it('does not leak the tenant to the next transaction on a pooled connection', async () => {
    const single = await singleConnection();
    try {
      await withTenant(single, tenantA, (m) => m.query('select 1'));
      expect(await single.query('select * from pings')).toEqual([]);
      expect(await single.query(`select current_setting('app.tenant_id', true) as t`)).toEqual([{ t: '' }]);
    } finally {
      await single.destroy();
    }
  });

  it('reads as the tenant in one round trip, quotes the values it is given, and leaves no tenant behind', async () => {
    const single = await singleConnection();
    try {
      const notes = (tenant: string, note: string) =>
        readAsTenant<{ n: number }>(
          single,
          tenant,
          (literal) => `select count(*)::int as n from pings where note = ${literal(note)}`,
        );
      const counted = (tenant: string) =>
        withTenant(app, tenant, (m) => m.query(`select count(*)::int as n from pings where note = 'x'`));
      expect(await notes(tenantB, 'x')).toEqual([{ n: 2 }]);
      expect(await notes(tenantA, 'x')).toEqual(await counted(tenantA));
      expect(await notes(tenantA, "x' or ''='")).toEqual([{ n: 0 }]);
      expect(await single.query(`select current_setting('app.tenant_id', true) as t`)).toEqual([{ t: '' }]);
      await expect(readAsTenant(single, "x' or 1=1 --", () => 'select 1')).rejects.toThrow(
        'tenant id must be a UUID',
      );
    } finally {
      await single.destroy();
    }
  });

  it('runs a prepared statement once per connection, as the tenant inside a transaction and on a pooled connection outside one', async () => {
    const single = await singleConnection();
    const text = `select count(*)::int as n from pings where note = $1`;
    const prepared = () =>
      single.query(`select count(*)::int as n from pg_prepared_statements where statement = $1`, [text]);
    try {
      expect(await withTenant(single, tenantB, (m) => preparedQuery(m, text, ['x']))).toEqual([{ n: 2 }]);
      expect(await withTenant(single, tenantA, (m) => preparedQuery(m, text, ['x']))).toEqual(
        await withTenant(app, tenantA, (m) => m.query(text, ['x'])),
      );
      expect(await preparedQuery(single.manager, text, ['x'])).toEqual([{ n: 0 }]);
      expect(await prepared()).toEqual([{ n: 1 }]);
    } finally {
      await single.destroy();
    }
  });

  it('gives the app role no way around the policies', async () => {
    const client = new Client({ connectionString: urls.appUrl });
    await client.connect();
    try {
      const [{ rolbypassrls, rolsuper }] = (
        await client.query('select rolbypassrls, rolsuper from pg_roles where rolname = current_user')
      ).rows;
      expect({ rolbypassrls, rolsuper }).toEqual({ rolbypassrls: false, rolsuper: false });
      await expect(client.query('alter table ingestion.pings disable row level security')).rejects.toThrow(
        /must be owner/,
      );
      await client.query('set row_security = off');
      await expect(client.query('select * from ingestion.pings')).rejects.toThrow(/row-level security/);
    } finally {
      await client.end();
    }
  });

  it('rejects a tenant id that is not a UUID before touching the database', async () => {
    await expect(withTenant(app, "x' or 1=1 --", async () => 1)).rejects.toThrow('tenant id must be a UUID');
  });
});
