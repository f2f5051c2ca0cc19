// No path-alias imports here: jest's global setup loads this file without the module mapping.

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
