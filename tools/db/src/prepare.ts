// Prepares a database for Sextant: roles and schemas per service (bootstrapDatabase), then every
// service's migrations as its owner. As a command it prints the per-service URLs as shell
// assignments: node dist/tools/db/src/prepare.js <admin-url> <database> <password>
import { SERVICE_NAMES } from '@sextant/contracts';
import { bootstrapDatabase, runMigrations, type ServiceDatabaseRoles } from '@sextant/platform/database';
import { serviceSchema } from './service-schema';

export async function prepareDatabase(
  adminUrl: string,
  database: string,
  password: string,
  log = (_: string) => {},
): Promise<ServiceDatabaseRoles[]> {
  const roles = await bootstrapDatabase(adminUrl, database, [...SERVICE_NAMES], password);
  for (const { schema, ownerUrl } of roles) {
    const ran = await runMigrations({ schema, url: ownerUrl, ...serviceSchema(schema) });
    log(`${schema}: ${ran.length ? `applied ${ran.join(', ')}` : 'schema up to date'}`);
  }
  return roles;
}

async function main() {
  const [adminUrl, database, password] = process.argv.slice(2);
  if (!adminUrl || !database || !password)
    throw new Error('usage: prepare <admin-url> <database> <password>');
  const roles = await prepareDatabase(adminUrl, database, password, (line) =>
    process.stderr.write(`[sextant] ${line}\n`),
  );
  for (const { schema, ownerUrl, appUrl } of roles) {
    const upper = schema.toUpperCase();
    process.stdout.write(`${upper}_DATABASE_URL='${appUrl}'\n${upper}_DATABASE_OWNER_URL='${ownerUrl}'\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`prepare failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
