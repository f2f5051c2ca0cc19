import { testEnvironment } from '@sextant/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { bootstrapDatabase } from './bootstrap';

// Two test runs starting at once on one PostgreSQL cluster: each prepares its own database, and the
// roles they both need do not exist yet.
describe('bootstrapDatabase (real PostgreSQL)', () => {
  const env = testEnvironment();
  const suffix = randomBytes(4).toString('hex');
  const databases = [`${env.database}_boot_a`, `${env.database}_boot_b`];
  const schemas = [`boot_${suffix}_one`, `boot_${suffix}_two`];
  const roles = schemas.flatMap((schema) => [`${schema}_owner`, `${schema}_app`]);
  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: env.adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  afterAll(() =>
    admin(async (client) => {
      for (const database of databases)
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      for (const role of roles) await client.query(`DROP ROLE IF EXISTS "${role}"`);
    }),
  );

  it('prepares two databases at once that need the same new roles', async () => {
    const prepared = await Promise.all(
      databases.map((database) => bootstrapDatabase(env.adminUrl, database, schemas, env.password)),
    );

    const present = await admin((client) =>
      client.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1) order by 1', [
        roles,
      ]),
    );
    expect(present.rows.map((r) => r.rolname)).toEqual([...roles].sort());
    for (const [n, database] of databases.entries()) {
      const app = new Client({ connectionString: prepared[n][0].appUrl });
      await app.connect();
      const { rows } = await app.query('select current_database() as db');
      await app.end();
      expect(rows[0].db).toBe(database);
    }
  });
});
