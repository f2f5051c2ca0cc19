import type { ClassType } from '@sextant/platform/database';
import { MESSAGING_ENTITIES } from '@sextant/platform/messaging';
import path from 'node:path';

/**
 * A service's entities (with the outbox tables every service has) and migrations, loaded by name
 * from apps/<service>/src/service, for the tools that run or check migrations.
 */
export function serviceSchema(service: string): { entities: ClassType[]; migrations: ClassType[] } {
  const module = require(path.join(__dirname, '../../../apps', service, 'src/service')) as {
    entities: ClassType[];
    migrations: ClassType[];
  };
  return { entities: [...module.entities, ...MESSAGING_ENTITIES], migrations: module.migrations };
}
