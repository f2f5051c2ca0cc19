import { SERVICE_NAMES } from '@sextant/contracts';

/**
 * The real PostgreSQL and Kafka a test run talks to. `./tools/dev test` starts them and exports
 * SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS; the global setup makes a database and a topic
 * prefix of this run's own (TEST_RUN_ID), so concurrent runs never collide.
 */
export interface TestEnvironment {
  adminUrl: string;
  brokers: string[];
  runId: string;
  database: string;
  topicPrefix: string;
  password: string;
}

/** The services that own a database schema (every service but the gateway). */
export const DATABASE_SERVICES = SERVICE_NAMES;
export type DatabaseService = (typeof DATABASE_SERVICES)[number];

export function testEnvironment(): TestEnvironment {
  const adminUrl = process.env.SEXTANT_DATABASE_ADMIN_URL;
  const brokers = process.env.KAFKA_BROKERS;
  const runId = process.env.SEXTANT_TEST_RUN_ID;
  if (!adminUrl || !brokers || !runId) {
    throw new Error(
      'integration tests need SEXTANT_DATABASE_ADMIN_URL and KAFKA_BROKERS: run them with ./tools/dev test',
    );
  }
  return {
    adminUrl,
    brokers: brokers.split(','),
    runId,
    database: `sextant_test_${runId}`,
    topicPrefix: `test-${runId}.`,
    password: process.env.SEXTANT_DB_PASSWORD ?? 'sextant-dev-only',
  };
}

/** Connection URLs of a service's roles in this run's database. */
export function serviceUrls(env: TestEnvironment, service: DatabaseService) {
  const url = (role: string) => {
    const u = new URL(env.adminUrl);
    u.username = role;
    u.password = env.password;
    u.pathname = `/${env.database}`;
    return u.toString();
  };
  return {
    appUrl: url(`${service}_app`),
    ownerUrl: url(`${service}_owner`),
    adminUrl: url(new URL(env.adminUrl).username),
  };
}
