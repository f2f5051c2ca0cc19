import { testEnvironment } from '@sextant/testing';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { bootstrapDatabase } from './bootstrap';
import { runMigrations } from './database.module';

class CreateTurns1700000000001 implements MigrationInterface {
  async up(runner: QueryRunner) {
    // Long enough for a second replica to start the same migration if nothing kept it out.
    await runner.query(`select pg_sleep(0.3)`);
    await runner.query(`CREATE TABLE turns (id int PRIMARY KEY, replica text NOT NULL)`);
  }
  async down(runner: QueryRunner) {
    await runner.query(`DROP TABLE turns`);
  }
}

class IndexTurns1700000000002 implements MigrationInterface {
  async up(runner: QueryRunner) {
    await runner.query(`CREATE INDEX turns_replica_idx ON turns (replica)`);
  }
  async down(runner: QueryRunner) {
    await runner.query(`DROP INDEX turns_replica_idx`);
  }
}

// Two replicas of a service that migrates on start-up, started at the same moment on a fresh schema.
describe('runMigrations (real PostgreSQL)', () => {
  const env = testEnvironment();
  const database = `${env.database}_migrations`;
  const admin = () => new Client({ connectionString: env.adminUrl });

  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  });

  it('lets replicas starting together take turns: one applies every migration, the other finds none', async () => {
    const [{ ownerUrl }] = await bootstrapDatabase(env.adminUrl, database, ['ingestion'], env.password);
    const replica = () =>
      runMigrations({
        schema: 'ingestion',
        url: ownerUrl,
        entities: [],
        migrations: [CreateTurns1700000000001, IndexTurns1700000000002],
      });

    const ran = await Promise.all([replica(), replica()]);

    expect(ran.map((names) => names.length).sort()).toEqual([0, 2]);
    expect(ran.find((names) => names.length)).toEqual([
      'CreateTurns1700000000001',
      'IndexTurns1700000000002',
    ]);
    const owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
    const { rows } = await owner.query(`select name from ingestion.migrations order by id`);
    await owner.end();
    expect(rows.map((row) => row.name)).toEqual(['CreateTurns1700000000001', 'IndexTurns1700000000002']);
  });
});
