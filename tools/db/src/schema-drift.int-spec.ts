import { createServiceDataSource } from '@sextant/platform/database';
import { DATABASE_SERVICES, serviceUrls, testEnvironment } from '@sextant/testing';
import { serviceSchema } from './service-schema';

// The migrations (applied by the global setup) and the entities must describe the same schema:
// TypeORM's schema builder, pointed at the migrated database, must find nothing to change.
describe.each(DATABASE_SERVICES)('%s entities and migrations', (service) => {
  it('agree (no pending schema change)', async () => {
    const dataSource = await createServiceDataSource({
      schema: service,
      url: serviceUrls(testEnvironment(), service).ownerUrl,
      ...serviceSchema(service),
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
