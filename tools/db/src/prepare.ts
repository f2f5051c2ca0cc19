// Prepares a database for Sextant: roles and schemas per service (bootstrapDatabase), then every
// service's migrations as its owner. As a command it prints the per-service URLs as shell
// assignments: node dist/tools/db/src/prepare.js <admin-url> <database> <password>
import { bootstrapDatabase, runMigrations, type ServiceDatabaseRoles } from '@sextant/platform/database';
import { MESSAGING_ENTITIES } from '@sextant/platform/messaging';
import path from 'node:path';

export const DATABASE_SERVICES = ['auth', 'ingestion', 'attribution', 'forecasting', 'reporting'];

export async function prepareDatabase(adminUrl: string, database: string, password: string, log = (_: string) => {}): Promise<ServiceDatabaseRoles[]> {
  const roles = await bootstrapDatabase(adminUrl, database, DATABASE_SERVICES, password);
  for (const { schema, ownerUrl } of roles) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    const service = require(path.join(__dirname, '../../../apps', schema, 'src/service')) as { entities: Function[]; migrations: Function[] };
    const ran = await runMigrations({ schema, url: ownerUrl, entities: [...service.entities, ...MESSAGING_ENTITIES], migrations: service.migrations });
    log(`${schema}: ${ran.length ? `applied ${ran.join(', ')}` : 'schema up to date'}`);
  }
  return roles;
}

async function main() {
  const [adminUrl, database, password] = process.argv.slice(2);
  if (!adminUrl || !database || !password) throw new Error('usage: prepare <admin-url> <database> <password>');
  const roles = await prepareDatabase(adminUrl, database, password, (line) => process.stderr.write(`[sextant] ${line}\n`));
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
