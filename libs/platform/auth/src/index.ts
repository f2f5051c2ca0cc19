export * from './access-token';
export * from './access.guard';
export * from './access-control.module';
export * from './api-key-format';
export * from './service-token-source';
