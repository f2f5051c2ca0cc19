import { batchOutboxRows, unbatchOutboxRows } from '@sextant/platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One outbox row per outbox write, holding its events (see batchOutboxRows). */
export class OutboxBatches1796000300000 implements MigrationInterface {
  name = 'OutboxBatches1796000300000';

  async up(runner: QueryRunner): Promise<void> {
    await batchOutboxRows(runner, 'ingestion');
  }

  async down(runner: QueryRunner): Promise<void> {
    await unbatchOutboxRows(runner, 'ingestion');
  }
}
