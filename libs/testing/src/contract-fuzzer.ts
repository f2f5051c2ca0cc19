import type { OpenApiDocument } from '@sextant/contracts';
import fc from 'fast-check';

type Schema = Record<string, unknown>;

export interface FuzzRequest {
  method: string;
  template: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Requests generated from a contract, valid and invalid: for every operation, path and query
 * parameters and JSON bodies drawn from their schemas, then some of them broken (wrong types,
 * missing or unknown fields, hostile strings, malformed JSON). Deterministic for a seed.
 */
export function fuzzRequests(
  document: OpenApiDocument,
  count: number,
  seed: number,
  pathPrefix = '/api/',
): FuzzRequest[] {
  const operations = Object.entries(document.paths)
    .filter(([template]) => template.startsWith(pathPrefix))
    .flatMap(([template, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({
        template,
        method: m.toUpperCase(),
        operation: item[m] as Schema,
      })),
    );
  if (operations.length === 0) return [];
  const resolve = (node: unknown): Schema => {
    let current = node as Schema;
    while (current && typeof current.$ref === 'string') {
      current = (current.$ref as string)
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], document) as Schema;
    }
    return current ?? {};
  };

  const perOperation = Math.ceil(count / operations.length);
  const requests: FuzzRequest[] = [];
  operations.forEach(({ template, method, operation }, index) => {
    const parameters = ((operation.parameters as unknown[]) ?? []).map(resolve);
    const body = resolve(operation.requestBody);
    const jsonSchema = (body.content as Record<string, { schema?: unknown }> | undefined)?.[
      'application/json'
    ]?.schema;
    const arbitrary = fc.record({
      path: fc.record(
        Object.fromEntries(
          parameters
            .filter((p) => p.in === 'path')
            .map((p) => [p.name as string, maybeBroken(valueFor(resolve(p.schema), resolve))]),
        ),
      ),
      query: fc.record(
        Object.fromEntries(
          parameters
            .filter((p) => p.in === 'query')
            .map((p) => [p.name as string, maybeBroken(valueFor(resolve(p.schema), resolve))]),
        ),
        { requiredKeys: [] },
      ),
      extraQuery: fc.option(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 20 }), {
          maxKeys: 2,
        }),
        { nil: undefined },
      ),
      body: jsonSchema ? bodyFor(resolve(jsonSchema), resolve) : fc.constant(undefined),
    });
    for (const sample of fc.sample(arbitrary, { numRuns: perOperation, seed: seed + index })) {
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) =>
        encodeURIComponent(String((sample.path as Record<string, unknown>)[name] ?? 'x')),
      );
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries({
        ...(sample.query as Record<string, unknown>),
        ...(sample.extraQuery ?? {}),
      })) {
        if (v !== undefined) query.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
      requests.push({
        method,
        template,
        path: query.size ? `${path}?${query}` : path,
        headers: sample.body === undefined ? {} : { 'content-type': 'application/json' },
        body: sample.body,
      });
    }
  });
  return requests.slice(0, count);
}

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  '../../etc/passwd',
  '%00',
  "' or 1=1 --",
  '<script>',
  '\u0000',
  '😀'.repeat(50),
  'x'.repeat(5_000),
  '{{7*7}}',
  '${jndi:x}',
);

function maybeBroken(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 1, arbitrary: hostileStrings },
    { weight: 1, arbitrary: fc.string() },
  );
}

function bodyFor(schema: Schema, resolve: (node: unknown) => Schema): fc.Arbitrary<string | undefined> {
  const valid = valueFor(schema, resolve);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: valid.chain((v) => mutated(v)).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '{"a":',
        'null',
        '[]',
        '"x"',
        '{"__proto__":{"admin":true}}',
        '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]',
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function mutated(value: unknown): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fc.anything();
  const keys = Object.keys(value);
  return fc.oneof(
    fc.constant(Object.fromEntries(keys.slice(1).map((k) => [k, (value as Record<string, unknown>)[k]]))),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.anything())
      .map(([k, v]) => ({ ...value, [k]: v })),
    keys.length
      ? fc.tuple(fc.constantFrom(...keys), fc.anything()).map(([k, v]) => ({ ...value, [k]: v }))
      : fc.anything(),
  );
}

function valueFor(schema: Schema, resolve: (node: unknown) => Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return valueFor(resolve(schema), resolve, depth);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key]))
      return fc.oneof(...(schema[key] as Schema[]).map((s) => valueFor(resolve(s), resolve, depth)));
  }
  if (Array.isArray(schema.allOf))
    return valueFor(Object.assign({}, ...(schema.allOf as Schema[]).map(resolve)), resolve, depth);
  const type = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  return fc.oneof(...type.map((t) => valueForType(t, schema, resolve, depth)));
}

function valueForType(
  type: string | undefined,
  schema: Schema,
  resolve: (node: unknown) => Schema,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: (schema.minimum as number) ?? -1_000_000,
        max: (schema.maximum as number) ?? 1_000_000,
      });
    case 'number':
      return fc.double({
        min: (schema.minimum as number) ?? -1e6,
        max: (schema.maximum as number) ?? 1e6,
        noNaN: true,
      });
    case 'string':
      return stringFor(schema);
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(valueFor(resolve(schema.items), resolve, depth + 1), {
            maxLength: Math.min((schema.maxItems as number) ?? 5, 5),
          });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties = (schema.properties as Record<string, unknown>) ?? {};
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([k, s]) => [k, valueFor(resolve(s), resolve, depth + 1)]),
        ),
        { requiredKeys: (schema.required as string[]) ?? [] },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    default:
      return fc.string({
        minLength: (schema.minLength as number) ?? 0,
        maxLength: Math.min((schema.maxLength as number) ?? 40, 200),
      });
  }
}
