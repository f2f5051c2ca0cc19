import { Client } from 'pg';

export interface ServiceDatabaseRoles {
  schema: string;
  ownerUrl: string;
  appUrl: string;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Prepares a database for Sextant, as an administrator: the database itself, and for each service
 * schema an owner role (runs migrations, owns the tables) and an app role (owns nothing, no
 * BYPASSRLS, gets DML on the owner's tables by default privileges). Idempotent. Production does
 * the same with its own role management; this is what the dev stack and test runs use.
 */
export async function bootstrapDatabase(
  adminUrl: string,
  database: string,
  schemas: string[],
  password: string,
): Promise<ServiceDatabaseRoles[]> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Roles belong to the whole cluster: two runs preparing their databases at once (concurrent
    // test runs) would both see a role missing and both create it. They take turns, to the end.
    await admin.query(`select pg_advisory_lock(hashtextextended('sextant:bootstrap', 0))`);
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
    for (const schema of schemas) {
      for (const role of [`${schema}_owner`, `${schema}_app`]) {
        const present = await admin.query('select 1 from pg_roles where rolname = $1', [role]);
        const verb = present.rowCount ? 'ALTER' : 'CREATE';
        await admin.query(
          `${verb} ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${quoteLiteral(password)}`,
        );
      }
    }
    await grantSchemas(adminUrl, database, schemas);
  } finally {
    await admin.end();
  }

  return schemas.map((schema) => ({
    schema,
    ownerUrl: roleUrl(adminUrl, database, `${schema}_owner`, password),
    appUrl: roleUrl(adminUrl, database, `${schema}_app`, password),
  }));
}

/** Each service's schema in `database`, owned by its owner role, with the app role's privileges. */
async function grantSchemas(adminUrl: string, database: string, schemas: string[]): Promise<void> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  try {
    await db.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await db.query(
      `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${schemas
        .flatMap((s) => [`${s}_owner`, `${s}_app`])
        .map(quoteIdent)
        .join(', ')}`,
    );
    for (const schema of schemas) {
      const owner = quoteIdent(`${schema}_owner`);
      const app = quoteIdent(`${schema}_app`);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)} AUTHORIZATION ${owner}`);
      await db.query(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${app}`);
      await db.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${quoteIdent(schema)} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
      );
      await db.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${quoteIdent(schema)} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
      );
    }
  } finally {
    await db.end();
  }
}

export function roleUrl(adminUrl: string, database: string, role: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}
