import { createServiceDataSource } from '@sextant/platform/database';
import { MESSAGING_ENTITIES } from '@sextant/platform/messaging';
import { DATABASE_SERVICES, serviceUrls, testEnvironment } from '@sextant/testing';
import path from 'node:path';

// The migrations (applied by the global setup) and the entities must describe the same schema:
// TypeORM's schema builder, pointed at the migrated database, must find nothing to change.
describe.each(DATABASE_SERVICES)('%s entities and migrations', (service) => {
  it('agree (no pending schema change)', async () => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    const { entities, migrations } = require(path.join(__dirname, '../../../apps', service, 'src/service')) as { entities: Function[]; migrations: Function[] };
    const dataSource = await createServiceDataSource({
      schema: service,
      url: serviceUrls(testEnvironment(), service).ownerUrl,
      entities: [...entities, ...MESSAGING_ENTITIES],
      migrations,
    }).initialize();
    try {
      expect(await dataSource.showMigrations()).toBe(false);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
