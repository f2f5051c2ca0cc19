/**
 * Breaking changes between two OpenAPI 3.1 documents, the way a client sees them (oasdiff's idea,
 * in Node): each change has a stable id `<kind> <METHOD> <path> [<where>]`, so a reviewed list of
 * approved ids can let a deliberate break through (contracts/gateway/v1/approved-breaking-changes.txt).
 *
 * Breaking: an operation or a success status removed; a new required parameter, request field or
 * request body; a request field, parameter or enum value removed (a client may send it); a request
 * type narrowed; a response field removed or made optional; a response type widened.
 */
type Json = Record<string, unknown>;
type Schema = Json;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const MAX_DEPTH = 12;

export interface Document {
  paths: Record<string, Json>;
  components?: Json;
}

function resolve(doc: Document, node: unknown, seen = 0): Json | undefined {
  let current = node as Json | undefined;
  while (current && typeof current.$ref === 'string' && seen++ < 32) {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) return current;
    current = ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, key) => (at as Json | undefined)?.[key], doc) as Json | undefined;
  }
  return current;
}

const typesOf = (schema: Schema | undefined): Set<string> | undefined => {
  if (!schema || schema.type === undefined) return undefined;
  return new Set(([] as string[]).concat(schema.type as string | string[]));
};

const jsonSchemaOf = (doc: Document, holder: Json | undefined): Schema | undefined => {
  const content = resolve(doc, holder)?.content as Record<string, Json> | undefined;
  if (!content) return undefined;
  const media = content['application/json'] ?? Object.values(content)[0];
  return resolve(doc, media?.schema);
};

interface Side {
  doc: Document;
  schema: Schema | undefined;
}

/** Walks two versions of a schema, reporting what would break a client that sends (request) or reads (response) it. */
function compareSchemas(
  direction: 'request' | 'response',
  before: Side,
  after: Side,
  where: string,
  report: (kind: string, where: string) => void,
  depth = 0,
) {
  const a = resolve(before.doc, before.schema);
  const b = resolve(after.doc, after.schema);
  if (!a || !b || depth > MAX_DEPTH) return;
  const typesA = typesOf(a);
  const typesB = typesOf(b);
  if (typesA && typesB) {
    const lost = [...typesA].some((t) => !typesB.has(t) && !(t === 'integer' && typesB.has('number')));
    const gained = [...typesB].some((t) => !typesA.has(t) && !(t === 'number' && typesA.has('integer')));
    if (direction === 'request' && lost) report('request-property-type-narrowed', where);
    if (direction === 'response' && gained) report('response-property-type-widened', where);
  }
  if (direction === 'request' && Array.isArray(a.enum) && Array.isArray(b.enum)) {
    const removed = a.enum.filter((v) => !(b.enum as unknown[]).includes(v));
    if (removed.length) report('request-enum-value-removed', `${where} ${removed.join(',')}`);
  }
  const propsA = (a.properties ?? {}) as Record<string, Schema>;
  const propsB = (b.properties ?? {}) as Record<string, Schema>;
  const requiredA = new Set((a.required ?? []) as string[]);
  const requiredB = new Set((b.required ?? []) as string[]);
  for (const name of Object.keys(propsB)) {
    if (direction === 'request' && requiredB.has(name) && !requiredA.has(name))
      report(
        name in propsA ? 'request-property-became-required' : 'request-required-property-added',
        `${where}/${name}`,
      );
  }
  for (const [name, schemaA] of Object.entries(propsA)) {
    const schemaB = propsB[name];
    if (!schemaB) {
      if (direction === 'response') report('response-property-removed', `${where}/${name}`);
      else if (b.additionalProperties === false) report('request-property-removed', `${where}/${name}`);
      continue;
    }
    if (direction === 'response' && requiredA.has(name) && !requiredB.has(name))
      report('response-property-became-optional', `${where}/${name}`);
    compareSchemas(
      direction,
      { ...before, schema: schemaA },
      { ...after, schema: schemaB },
      `${where}/${name}`,
      report,
      depth + 1,
    );
  }
  if (a.items && b.items)
    compareSchemas(
      direction,
      { ...before, schema: a.items as Schema },
      { ...after, schema: b.items as Schema },
      `${where}[]`,
      report,
      depth + 1,
    );
}

const parametersOf = (doc: Document, pathItem: Json, operation: Json) => {
  const all = [...((pathItem.parameters ?? []) as unknown[]), ...((operation.parameters ?? []) as unknown[])];
  const byKey = new Map<string, Json>();
  for (const p of all) {
    const parameter = resolve(doc, p);
    if (parameter) byKey.set(`${String(parameter.in)}:${String(parameter.name)}`, parameter);
  }
  return byKey;
};

export function breakingChanges(before: Document, after: Document): string[] {
  const changes = new Set<string>();
  for (const [path, itemA] of Object.entries(before.paths)) {
    for (const method of METHODS) {
      const opA = itemA[method] as Json | undefined;
      if (!opA) continue;
      const id = `${method.toUpperCase()} ${path}`;
      const itemB = after.paths[path];
      const opB = itemB?.[method] as Json | undefined;
      if (!opB) {
        changes.add(`operation-removed ${id}`);
        continue;
      }
      const report = (kind: string, where: string) => changes.add(`${kind} ${id} ${where}`.trim());

      const paramsA = parametersOf(before, itemA, opA);
      const paramsB = parametersOf(after, itemB, opB);
      for (const [key, parameter] of paramsB) {
        const old = paramsA.get(key);
        if (parameter.required && !old) report('request-required-parameter-added', key);
        else if (parameter.required && old && !old.required) report('request-parameter-became-required', key);
      }
      for (const [key, parameter] of paramsA) {
        const now = paramsB.get(key);
        if (!now) report('request-parameter-removed', key);
        else
          compareSchemas(
            'request',
            { doc: before, schema: parameter.schema as Schema },
            { doc: after, schema: now.schema as Schema },
            key,
            report,
          );
      }

      const bodyA = resolve(before, opA.requestBody);
      const bodyB = resolve(after, opB.requestBody);
      if (bodyB?.required && !bodyA?.required) report('request-body-became-required', '');
      compareSchemas(
        'request',
        { doc: before, schema: jsonSchemaOf(before, bodyA) },
        { doc: after, schema: jsonSchemaOf(after, bodyB) },
        '/body',
        report,
      );

      const responsesA = (opA.responses ?? {}) as Record<string, unknown>;
      const responsesB = (opB.responses ?? {}) as Record<string, unknown>;
      for (const [status, responseA] of Object.entries(responsesA)) {
        if (!/^2/.test(status)) continue;
        const responseB = responsesB[status];
        if (!responseB) {
          report('response-success-status-removed', status);
          continue;
        }
        compareSchemas(
          'response',
          { doc: before, schema: jsonSchemaOf(before, resolve(before, responseA)) },
          { doc: after, schema: jsonSchemaOf(after, resolve(after, responseB)) },
          `${status}`,
          report,
        );
      }
    }
  }
  return [...changes].sort();
}

/** Approved ids from the reviewed list: one per line, `#` starts a comment (the reason). */
export function parseApprovedChanges(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean),
  );
}

/** Operations added and removed, for the changelog. */
export function operationChanges(before: Document, after: Document) {
  const ops = (doc: Document) =>
    new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
  const a = ops(before);
  const b = ops(after);
  return { added: [...b].filter((o) => !a.has(o)).sort(), removed: [...a].filter((o) => !b.has(o)).sort() };
}
