import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { testEnvironment } from './run-environment';

/** Drops the run's database and deletes its topics (set SEXTANT_KEEP_TEST_DATA=1 to keep them). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.SEXTANT_KEEP_TEST_DATA === '1') return;
  const env = testEnvironment();
  const admin = new Client({ connectionString: env.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${env.database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const kafka = new Kafka({
    brokers: env.brokers,
    clientId: 'test-teardown',
    logLevel: logLevel.NOTHING,
  }).admin();
  await kafka.connect();
  try {
    const topics = (await kafka.listTopics()).filter((t) => t.startsWith(env.topicPrefix));
    if (topics.length) await kafka.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await kafka.disconnect();
  }
}
