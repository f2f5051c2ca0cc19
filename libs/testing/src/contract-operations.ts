import { gatewayOpenApiDocument } from '@sextant/contracts';
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** One operation of the merged (gateway) contract, as the table-driven e2e tests walk them. */
export interface ContractOperation {
  method: string;
  template: string;
  /** The permission the operation names in `x-sextant-permission`, if any. */
  permission?: string;
  /** True where the operation says `security: []` (no credential needed). */
  public: boolean;
  pathParameters: string[];
  queryParameters: { name: string; required: boolean; schema: Json }[];
  /** The JSON request body's schema, when the operation takes one. */
  bodySchema?: Json;
  /** True for server-sent event streams (they never end: not for a request/response walk). */
  streams: boolean;
  operation: Json;
}

/** Follows `$ref`s within the merged contract. */
export function resolveSchema(node: unknown): Json {
  let current = node as Json;
  while (current && typeof current.$ref === 'string')
    current = (current.$ref as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)[key], gatewayOpenApiDocument) as Json;
  return current ?? {};
}

/** The smallest valid value of a schema (required fields only), so requests pass validation. */
export function sampleValue(node: unknown, depth = 0): unknown {
  const schema = resolveSchema(node);
  if (depth > 8) return undefined;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  for (const key of ['oneOf', 'anyOf'] as const)
    if (Array.isArray(schema[key])) return sampleValue((schema[key] as unknown[])[0], depth + 1);
  const type = ([] as string[])
    .concat((schema.type as string | string[]) ?? 'object')
    .find((t) => t !== 'null');
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Json;
      return Object.fromEntries(
        ((schema.required ?? []) as string[]).map((name) => [name, sampleValue(properties[name], depth + 1)]),
      );
    }
    case 'array':
      return Array.from({ length: Number(schema.minItems ?? 0) }, () => sampleValue(schema.items, depth + 1));
    case 'integer':
    case 'number':
      return Number(schema.minimum ?? 1);
    case 'boolean':
      return false;
    default: {
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'email') return `${randomUUID()}@example.com`;
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
      return 'x'.repeat(Math.max(1, Number(schema.minLength ?? 1)));
    }
  }
}

/** Every `/api/` operation of the merged contract, whoever adds it. */
export const contractOperations: ContractOperation[] = Object.entries(gatewayOpenApiDocument.paths)
  .filter(([template]) => template.startsWith('/api/'))
  .flatMap(([template, item]) =>
    METHODS.filter((m) => (item as Json)[m]).map((m): ContractOperation => {
      const operation = (item as Json)[m] as Json;
      const security = (operation.security ?? (gatewayOpenApiDocument as Json).security) as
        unknown[] | undefined;
      const parameters = [
        ...(((item as Json).parameters as unknown[] | undefined) ?? []),
        ...((operation.parameters as unknown[] | undefined) ?? []),
      ].map(resolveSchema);
      const body = resolveSchema(operation.requestBody);
      return {
        method: m.toUpperCase(),
        template,
        permission: operation['x-sextant-permission'] as string | undefined,
        public: Array.isArray(security) && security.length === 0,
        pathParameters: [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]),
        queryParameters: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name as string,
            required: p.required === true,
            schema: resolveSchema(p.schema),
          })),
        bodySchema: (body.content as Record<string, Json> | undefined)?.['application/json']?.schema as
          Json | undefined,
        streams: JSON.stringify(operation.responses).includes('text/event-stream'),
        operation,
      };
    }),
  );
