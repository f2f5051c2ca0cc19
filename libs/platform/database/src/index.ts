export * from './data-source';
export * from './migration-helpers';
export * from './bootstrap';
export * from './database.module';
export * from './retention';
export * from './retention-purge-job';
