import { createMessagingTables, dropMessagingTables } from '@sextant/platform/messaging';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await createMessagingTables(runner, 'auth');
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropMessagingTables(runner, 'auth');
  }
}
