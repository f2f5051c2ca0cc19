export * from './generated/http';
export * from './generated/events';
export type { OpenApiDocument } from './openapi-document';
