export * from './service';
export * from './audit-trail';
