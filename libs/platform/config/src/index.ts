export * from './config';
export * from './service-config';
export * from './sealing';
