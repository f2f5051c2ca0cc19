import { gatewayOpenApiDocument } from '@sextant/contracts';
import {
  ContractClient,
  eventually,
  type RunningStack,
  signUp,
  type SignedUpOwner,
  startStack,
  testEnvironment,
} from '@sextant/testing';
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const VIEWER_PERMISSIONS = ['reports:read', 'members:read']; // apps/auth/src/access/roles.ts

interface Operation {
  method: string;
  template: string;
  permission?: string;
  operation: Json;
}

const resolve = (node: unknown): Json => {
  let current = node as Json;
  while (current && typeof current.$ref === 'string')
    current = (current.$ref as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)[key], gatewayOpenApiDocument) as Json;
  return current ?? {};
};

/** The smallest valid value of a schema (required fields only), so requests pass validation. */
function sample(node: unknown, depth = 0): unknown {
  const schema = resolve(node);
  if (depth > 8) return undefined;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  for (const key of ['oneOf', 'anyOf'] as const)
    if (Array.isArray(schema[key])) return sample((schema[key] as unknown[])[0], depth + 1);
  const type = ([] as string[])
    .concat((schema.type as string | string[]) ?? 'object')
    .find((t) => t !== 'null');
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Json;
      return Object.fromEntries(
        ((schema.required ?? []) as string[]).map((name) => [name, sample(properties[name], depth + 1)]),
      );
    }
    case 'array':
      return Array.from({ length: Number(schema.minItems ?? 0) }, () => sample(schema.items, depth + 1));
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

/** Every operation of the merged contract that needs a credential, with the permission it names. */
const protectedOperations: Operation[] = Object.entries(gatewayOpenApiDocument.paths)
  .filter(([template]) => template.startsWith('/api/'))
  .flatMap(([template, item]) =>
    METHODS.filter((m) => (item as Json)[m]).map((m) => {
      const operation = (item as Json)[m] as Json;
      return {
        method: m.toUpperCase(),
        template,
        permission: operation['x-sextant-permission'] as string | undefined,
        operation,
      };
    }),
  )
  .filter(({ operation }) => {
    const security = (operation.security ?? (gatewayOpenApiDocument as Json).security) as
      unknown[] | undefined;
    return !(Array.isArray(security) && security.length === 0);
  });

const pathParameters = (template: string) => [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

/**
 * Table-driven over the merged contract (every protected operation, whoever adds it): without a
 * credential 401; as a viewer where the operation's `x-sextant-permission` is more than a viewer
 * has, 403; as another tenant's owner, nothing of the first tenant (404/403 on its resources, none
 * of its ids in any list).
 */
describe('permissions of every operation in the merged contract (whole stack)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let tenantA: SignedUpOwner;
  let tenantB: SignedUpOwner;
  let viewerOfA: { authorization: string };
  /** Ids of tenant A's resources, by the path parameter that names them. */
  const resourcesOfA: Record<string, string> = {};

  const call = (op: Operation, headers: Record<string, string>, params: Record<string, string> = {}) => {
    const body = resolve(op.operation.requestBody);
    const schema = (body.content as Record<string, Json> | undefined)?.['application/json']?.schema;
    const filled = Object.fromEntries(pathParameters(op.template).map((p) => [p, params[p] ?? randomUUID()]));
    return api.request(op.method, op.template, {
      params: filled,
      headers,
      body: schema === undefined ? undefined : sample(schema),
    });
  };

  beforeAll(async () => {
    stack = await startStack(env, undefined, { RATE_LIMIT_MAX: '100000' });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    tenantA = await signUp(stack.urls.gateway, 'Shop A');
    tenantB = await signUp(stack.urls.gateway, 'Shop B');
    resourcesOfA.userId = tenantA.userId;

    const invite = await api.request<{ inviteToken: string; email: string }>('POST', '/api/v1/auth/invites', {
      headers: tenantA.headers,
      body: { email: `${randomUUID()}@example.com`, role: 'viewer' },
    });
    const password = `viewer ${randomUUID()}`;
    await api.request('POST', '/api/v1/auth/invites/accept', {
      body: { inviteToken: invite.body.inviteToken, password },
    });
    const viewer = await api.request<{ accessToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: invite.body.email, password, tenantId: tenantA.tenantId },
    });
    viewerOfA = { authorization: `Bearer ${viewer.body.accessToken}` };

    const key = await api.request<{ keyId: string }>('POST', '/api/v1/auth/api-keys', {
      headers: tenantA.headers,
      body: { name: 'A key', scopes: ['ingest'] },
    });
    expect(key.status).toBe(201);
    resourcesOfA.keyId = key.body.keyId;
    const ping = await api.request<{ pingId: string }>('POST', '/api/v1/ingestion/pings', {
      headers: tenantA.headers,
      body: {},
    });
    expect(ping.status).toBe(202);
    resourcesOfA.pingId = ping.body.pingId;
    // A sees its ping in reporting before B tries: B's 404 then means isolation, not lag.
    await eventually(
      async () =>
        (
          await api.request('GET', '/api/v1/reporting/pings/{pingId}', {
            params: resourcesOfA,
            headers: tenantA.headers,
          })
        ).status === 200,
      30_000,
      250,
    );
  }, 600_000); // the whole stack's cold start on a busy machine
  afterAll(() => stack?.stop());

  it('covers the operations of every service that has protected ones', () => {
    const domains = new Set(protectedOperations.map((o) => o.template.split('/')[3]));
    expect([...domains]).toEqual(expect.arrayContaining(['auth', 'ingestion', 'reporting']));
  });

  it('answers 401 to every protected operation called without a credential', async () => {
    const wrong: string[] = [];
    for (const op of protectedOperations) {
      const response = await call(op, {}, resourcesOfA);
      if (response.status !== 401) wrong.push(`${op.method} ${op.template}: ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a viewer on every operation that needs more than a viewer has', async () => {
    const needMore = protectedOperations.filter(
      (o) => o.permission && !VIEWER_PERMISSIONS.includes(o.permission),
    );
    expect(needMore.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const op of needMore) {
      const response = await call(op, viewerOfA, resourcesOfA);
      if (response.status !== 403)
        wrong.push(`${op.method} ${op.template} (${op.permission}): ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("gives another tenant's owner nothing of the first tenant", async () => {
    const wrong: string[] = [];
    const idsOfA = [tenantA.tenantId, ...Object.values(resourcesOfA)];
    // Lists and other reads without ids first, before B has sent any of A's ids anywhere (a 404
    // problem names the path it was asked for, and B's audit log records what B tried).
    // (Server-sent event streams never end: their isolation is tested by reporting's own suite.)
    const streams = (o: Operation) => JSON.stringify(o.operation.responses).includes('text/event-stream');
    for (const op of protectedOperations.filter(
      (o) => pathParameters(o.template).length === 0 && !streams(o),
    )) {
      const text = JSON.stringify((await call(op, tenantB.headers)).body);
      const leaked = idsOfA.filter((id) => text.includes(id));
      if (leaked.length) wrong.push(`${op.method} ${op.template} shows A's ${leaked.join(', ')}`);
    }
    // Then every operation on one of A's resources, by its id: not found (or forbidden) for B. A
    // 400 (the sample request lacks a required query or body field) was refused before any data
    // was read.
    for (const op of protectedOperations.filter((o) => pathParameters(o.template).length > 0)) {
      const response = await call(op, tenantB.headers, resourcesOfA);
      if (![400, 403, 404].includes(response.status))
        wrong.push(`${op.method} ${op.template} on A's resource: ${response.status}`);
    }
    expect(wrong).toEqual([]);
    // And A's resources are all still there.
    expect(
      (
        await api.request('GET', '/api/v1/auth/members/{userId}', {
          params: resourcesOfA,
          headers: tenantA.headers,
        })
      ).status,
    ).toBe(200);
    const key = await api.request<{ revokedAt: string | null }>('GET', '/api/v1/auth/api-keys/{keyId}', {
      params: resourcesOfA,
      headers: tenantA.headers,
    });
    expect(key.body.revokedAt).toBeNull();
  });
});
