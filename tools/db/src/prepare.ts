// Prepares a database for the local stack: roles and schemas per service (bootstrapDatabase), then
// every service's migrations as its owner. Prints the per-service URLs as shell assignments.
// Usage: node dist/tools/db/src/prepare.js <admin-url> <database> <password>
import { bootstrapDatabase, runMigrations } from '@sextant/platform/database';
import { MESSAGING_ENTITIES } from '@sextant/platform/messaging';
import path from 'node:path';

export const DATABASE_SERVICES = ['auth', 'ingestion', 'attribution', 'forecasting', 'reporting'];

async function main() {
  const [adminUrl, database, password] = process.argv.slice(2);
  if (!adminUrl || !database || !password) throw new Error('usage: prepare <admin-url> <database> <password>');
  const roles = await bootstrapDatabase(adminUrl, database, DATABASE_SERVICES, password);
  for (const { schema, ownerUrl, appUrl } of roles) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    const service = require(path.join(__dirname, '../../../apps', schema, 'src/service')) as { entities: Function[]; migrations: Function[] };
    const ran = await runMigrations({ schema, url: ownerUrl, entities: [...service.entities, ...MESSAGING_ENTITIES], migrations: service.migrations });
    process.stderr.write(`[sextant] ${schema}: ${ran.length ? `applied ${ran.join(', ')}` : 'schema up to date'}\n`);
    const upper = schema.toUpperCase();
    process.stdout.write(`${upper}_DATABASE_URL='${appUrl}'\n${upper}_DATABASE_OWNER_URL='${ownerUrl}'\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`prepare failed: ${(error as Error).message}\n`);
  process.exit(1);
});
