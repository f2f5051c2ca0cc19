import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  createServiceDataSource,
  readAsTenant,
  type ServiceDataSourceOptions,
  withTenant,
} from './data-source';

/** Tenant-scoped and system transactions on the service's data source. */
@Injectable()
export class Transactions {
  constructor(readonly dataSource: DataSource) {}

  /**
   * A transaction as the tenant. Each statement sees what was committed before it began; reads that
   * must agree with each other (a record and its parts, read in two statements) ask for
   * `REPEATABLE READ`, one snapshot for the whole transaction.
   */
  forTenant<T>(
    tenantId: string,
    fn: (manager: EntityManager) => Promise<T>,
    isolation?: 'READ COMMITTED' | 'REPEATABLE READ',
  ): Promise<T> {
    return withTenant(this.dataSource, tenantId, fn, isolation);
  }

  /** One statement as the tenant in a single round trip (see readAsTenant: values as literals). */
  readAsTenant<Row>(
    tenantId: string,
    statement: (literal: (value: string) => string) => string,
  ): Promise<Row[]> {
    return readAsTenant<Row>(this.dataSource, tenantId, statement);
  }

  /** For work that is not one tenant's (relays, housekeeping); RLS tables show nothing here. */
  system<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }
}

@Injectable()
class DataSourceLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown() {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export interface DatabaseModuleOptions extends ServiceDataSourceOptions {
  /** Runs pending migrations as the owner before serving (development convenience). */
  migrateWithOwnerUrl?: string;
}

/**
 * Runs the service's migrations with the owner role and returns what ran. Replicas starting together
 * take turns (a session advisory lock per schema): the first applies what is pending, the others
 * then find nothing to do, where both would otherwise run the same migration and one would fail.
 */
export async function runMigrations(options: ServiceDataSourceOptions): Promise<string[]> {
  const owner = createServiceDataSource(options);
  await owner.initialize();
  const lock = owner.createQueryRunner();
  const lockName = `sextant:migrations:${options.schema}`;
  try {
    await lock.query('select pg_advisory_lock(hashtextextended($1, 0))', [lockName]);
    const ran = await owner.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await lock.release();
    await owner.destroy(); // closes the lock's session, which releases the lock
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forService(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            if (options.migrateWithOwnerUrl) {
              const ran = await runMigrations({ ...options, url: options.migrateWithOwnerUrl });
              if (ran.length) new Logger('Database').log(`migrations applied: ${ran.join(', ')}`);
            }
            return createServiceDataSource(options).initialize();
          },
        },
        Transactions,
        DataSourceLifecycle,
      ],
      exports: [DataSource, Transactions],
    };
  }
}
