import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { testEnvironment } from './run-environment';

const compiledPrepare = path.resolve(__dirname, '../../../dist/tools/db/src/prepare.js');

/**
 * Once per jest run: a fresh database with every service's roles, schemas and migrations. Uses the
 * compiled tools (`./tools/dev test` builds first): jest's module mapping does not reach here.
 */
export default async function globalSetup(): Promise<void> {
  process.env.SEXTANT_TEST_RUN_ID ??= `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env = testEnvironment();
  if (!existsSync(compiledPrepare))
    throw new Error('dist/ is missing: run the tests with ./tools/dev test (it builds first)');
  const { prepareDatabase } = require(compiledPrepare) as {
    prepareDatabase(adminUrl: string, database: string, password: string): Promise<unknown>;
  };
  await prepareDatabase(env.adminUrl, env.database, env.password);
}
