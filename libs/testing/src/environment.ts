import { SERVICE_NAMES } from '@sextant/contracts';
import { roleUrl } from '@sextant/platform/database';
import type { TestEnvironment } from './run-environment';

export { testEnvironment, type TestEnvironment } from './run-environment';

/** The services that own a database schema (every service but the gateway). */
export const DATABASE_SERVICES = SERVICE_NAMES;
export type DatabaseService = (typeof DATABASE_SERVICES)[number];

/** Connection URLs of a service's roles in this run's database. */
export function serviceUrls(env: TestEnvironment, service: DatabaseService) {
  return {
    appUrl: roleUrl(env.adminUrl, env.database, `${service}_app`, env.password),
    ownerUrl: roleUrl(env.adminUrl, env.database, `${service}_owner`, env.password),
  };
}
