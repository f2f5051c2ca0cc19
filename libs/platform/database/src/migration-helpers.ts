import type { QueryRunner } from 'typeorm';

/**
 * Row-level security for a tenant-scoped table: ENABLE + FORCE (so even the owner is filtered
 * outside migrations that switch it off), one policy reading `app.tenant_id`. With no tenant set,
 * NULLIF makes the comparison NULL and nothing is visible or writable.
 */
export async function enableTenantRls(runner: QueryRunner, table: string): Promise<void> {
  const policy = `${table.split('.').pop()}_tenant_isolation`;
  await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await runner.query(
    `CREATE POLICY ${policy} ON ${table}
       USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
       WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`,
  );
}
