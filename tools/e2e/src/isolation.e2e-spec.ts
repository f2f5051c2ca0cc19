/**
 * Tenant isolation, table-driven over every operation of the merged contract: tenant A is a
 * simulated store with data in every service (events, orders, spend, an attribution run, a
 * forecast run, keys, a webhook subscription); tenant B, with its owner's token and with an API
 * key, tries to read A's data by filter (A's ids, channels, SKUs, paging cursors and periods in
 * the query), by export, and to read or change A's resources by id. B must see exactly what a
 * brand-new tenant C sees, and A's own views must not change.
 */
import { gatewayOpenApiDocument } from '@sextant/contracts';
import {
  call,
  ContractClient,
  type ContractOperation,
  contractOperations,
  demoRunStatus,
  eventually,
  loadWorld,
  type LoadedWorld,
  type RunningStack,
  sampleValue,
  signUp,
  simulateWorld,
  startDemoRuns,
  startStack,
  testEnvironment,
  waitForPipeline,
  type World,
} from '@sextant/testing';
import { randomUUID } from 'node:crypto';

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
type Headers = Record<string, string>;

interface Tenant {
  tenantId: string;
  /** The owner's access token. */
  owner: Headers;
  /** An API key with the `read` and `ingest` scopes, as `X-API-Key`. */
  key: Headers;
  ingestKey: string;
}

interface Probe {
  template: string;
  /** The operation's path template, "filtered" when A's values are in the filters, the format. */
  name: string;
  path: string;
  query: Record<string, string>;
}

interface View {
  status: number;
  text: string;
}

/**
 * A response with what differs between any two tenants by construction (ids, times, e-mail
 * addresses, keys, audit sequence numbers) replaced, so two tenants without data compare equal.
 */
const normalised = (view: View) =>
  `${view.status} ${view.text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<time>')
    .replace(/[\w.+-]+@example\.com/g, '<email>')
    .replace(/sxt_live_\w+/g, '<key>')
    .replace(/"eventId":"\d+"/g, '"eventId":"<n>"')}`;

/** Operations that describe the moment rather than stored data (rolling windows, the audit log). */
const MOMENTARY = [
  '/api/v1/ingestion/sources/health',
  '/api/v1/reporting/freshness',
  '/api/v1/auth/audit-events',
];

const momentary = (probe: Probe) => MOMENTARY.includes(probe.template);

describe('tenant isolation across every operation (whole stack, simulated store)', () => {
  let stack: RunningStack;
  let api: ContractClient;
  let world: World;
  let loaded: LoadedWorld;
  let a: Tenant;
  let b: Tenant;
  let c: Tenant;
  /** Every string A's own reads returned, by field name (ids, channels, SKUs, cursors...). */
  const seenByA = new Map<string, Set<string>>();
  /** Every read aimed at A's data, once A's ids are known. */
  let probes: Probe[] = [];
  /** A's answers to them, before B tried anything. */
  const viewsOfA = new Map<string, string>();

  const reads = contractOperations.filter(
    (o) => o.method === 'GET' && !o.public && !o.streams && o.pathParameters.length === 0,
  );
  /** A's reads of its own resources by id. */
  const readsById = contractOperations.filter(
    (o) => o.method === 'GET' && !o.public && !o.streams && o.pathParameters.length > 0,
  );
  const byId = contractOperations.filter((o) => !o.public && o.pathParameters.length > 0);

  /** The first value of each field by the path that answered it ("<path>|<field>"). */
  const firstSeenAt = new Map<string, string>();

  /** A's value for a field, from the resource collection `template` belongs to where there is one. */
  const first = (field: string, template = '') => {
    for (const [key, value] of firstSeenAt) {
      const [origin, name] = key.split('|');
      if (name === field && template.startsWith(`${origin}/`)) return value;
    }
    return seenByA.get(field)?.values().next().value as string | undefined;
  };

  const remember = (node: unknown, origin: string, field = ''): void => {
    if (Array.isArray(node)) return node.forEach((item) => remember(item, origin, field));
    if (node && typeof node === 'object')
      return Object.entries(node).forEach(([key, value]) => remember(value, origin, key));
    if (typeof node === 'string' && field) {
      const name = field === 'nextCursor' ? 'cursor' : field;
      if (!seenByA.has(name)) seenByA.set(name, new Set());
      seenByA.get(name)!.add(node);
      if (!firstSeenAt.has(`${origin}|${name}`)) firstSeenAt.set(`${origin}|${name}`, node);
    }
  };

  /** A's ids for the path parameters (a SKU of A's world where A's reads showed none). */
  const paramsOf = (op: ContractOperation) =>
    Object.fromEntries(
      op.pathParameters.map((p) => [
        p,
        first(p, op.template) ?? (p === 'sku' ? world.skus[0].sku : randomUUID()),
      ]),
    );

  /**
   * The reads that aim at A's data: A's period and the required parameters, then the same with
   * A's own values in every filter that names one of A's things (ids, channels, SKUs, cursors),
   * and each export in both formats.
   */
  const probesOf = (op: ContractOperation): Probe[] => {
    const base: Record<string, string> = {};
    const filters: Record<string, string> = {};
    for (const { name, required, schema } of op.queryParameters) {
      const namesAThing = /Id$/.test(name) || ['sku', 'channel', 'campaign', 'cursor'].includes(name);
      const ofA = name === 'actorId' ? first('userId') : namesAThing ? first(name, op.template) : undefined;
      if (name === 'from' && schema.format === 'date') base.from = isoDay(world.start.getTime());
      else if (name === 'to' && schema.format === 'date')
        base.to = isoDay(world.start.getTime() + (world.days - 1) * DAY);
      else if (name === 'since') base.since = world.start.toISOString();
      else if (ofA !== undefined) (required ? base : filters)[name] = ofA;
      else if (required) base[name] = String(sampleValue(schema));
    }
    const params = paramsOf(op);
    const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
    const queries = Object.keys(filters).length ? [base, { ...base, ...filters }] : [base];
    const formats = op.queryParameters.some((p) => p.name === 'format') ? ['csv', 'json'] : [undefined];
    return queries.flatMap((query, filtered) =>
      formats.map((format) => ({
        template: op.template,
        name: `${op.template}${filtered ? ' filtered' : ''}${format ? ` (${format})` : ''}`,
        path,
        query: { ...query, ...(format ? { format } : {}) },
      })),
    );
  };

  const read = async (probe: Probe, headers: Headers): Promise<View> => {
    const response = await fetch(`${stack.urls.gateway}${probe.path}?${new URLSearchParams(probe.query)}`, {
      headers,
    });
    return { status: response.status, text: await response.text() };
  };

  const tenant = async (name: string): Promise<Tenant> => {
    const owner = await signUp(stack.urls.gateway, name);
    const key = await call<{ key: string }>(stack.urls.gateway, 'POST', '/api/v1/auth/api-keys', {
      token: owner.accessToken,
      body: { name: 'reads and events', scopes: ['read', 'ingest'] },
    });
    return {
      tenantId: owner.tenantId,
      owner: owner.headers,
      key: { 'x-api-key': key.key },
      ingestKey: key.key,
    };
  };

  beforeAll(async () => {
    stack = await startStack(testEnvironment(), undefined, { RATE_LIMIT_MAX: '100000' });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    world = simulateWorld({ seed: 23, days: 14, scale: 0.04, start: new Date(today - 15 * DAY) });
    loaded = await loadWorld(world, {
      gatewayUrl: stack.urls.gateway,
      account: {
        tenantName: 'Shop A',
        email: `a-${randomUUID()}@example.com`,
        password: 'correct horse battery a',
      },
    });
    const token = loaded.accessToken;
    const ownerOfA = { authorization: `Bearer ${token}` };
    const keyOfA = await call<{ key: string }>(stack.urls.gateway, 'POST', '/api/v1/auth/api-keys', {
      token,
      body: { name: 'reads and events', scopes: ['read', 'ingest'] },
    });
    a = {
      tenantId: loaded.tenantId,
      owner: ownerOfA,
      key: { 'x-api-key': keyOfA.key },
      ingestKey: loaded.ingestKey,
    };
    const create = async (path: string, body: unknown) =>
      remember(await call(stack.urls.gateway, 'POST', path, { token, body }), path);
    await create('/api/v1/reporting/webhooks', { url: 'http://127.0.0.1:9/signals', minSeverity: 'medium' });
    await create('/api/v1/auth/invites', { email: `invited-${randomUUID()}@example.com`, role: 'viewer' });
    await create('/api/v1/ingestion/pings', {});
    await waitForPipeline(stack.urls.gateway, token, world);
    const runs = await startDemoRuns(stack.urls.gateway, token, world);
    await eventually(
      async () => {
        const status = await demoRunStatus(stack.urls.gateway, token, runs);
        if (status.attribution !== 'succeeded' || status.forecast !== 'succeeded')
          throw new Error(`runs not done: ${JSON.stringify(status)}`);
        return true;
      },
      300_000,
      2_000,
    );
    // Twice over the lists: the second pass fills filters with what the first found (run ids,
    // SKUs, cursors); then A's resources by id.
    for (const ops of [reads, reads, readsById])
      for (const probe of ops.flatMap(probesOf)) {
        const view = await read(probe, a.owner);
        if (view.status === 200 && view.text.startsWith('{')) remember(JSON.parse(view.text), probe.template);
      }
    probes = [...reads, ...readsById].flatMap(probesOf);
    for (const probe of probes) viewsOfA.set(probe.name, normalised(await read(probe, a.owner)));
    b = await tenant('Another shop');
    c = await tenant('Another shop');
  }, 900_000);
  afterAll(() => stack?.stop());

  it("finds A's resources in A's own reads (the matrix below aims at them)", () => {
    const missing = ['runId', 'keyId', 'webhookId', 'userId', 'sourceId', 'pingId', 'channel', 'sku'].filter(
      (field) => !seenByA.has(field),
    );
    expect(missing).toEqual([]);
  });

  it("shows B, by owner token and by API key, through every read and export aimed at A's data, what a new tenant sees", async () => {
    const leaks: string[] = [];
    const showingData: string[] = [];
    const idsOfA = [...seenByA.entries()]
      .filter(([field]) => field.endsWith('Id') && field !== 'requestId')
      .flatMap(([, values]) => [...values])
      .filter((id) => id.length >= 16);
    for (const probe of probes) {
      const newTenant = normalised(await read(probe, c.owner));
      const ofA = await read(probe, a.owner);
      if (ofA.status === 200 && normalised(ofA) !== newTenant) showingData.push(probe.name);
      for (const [who, headers, control] of [
        ['owner', b.owner, newTenant],
        ['key', b.key, normalised(await read(probe, c.key))],
      ] as const) {
        const view = await read(probe, headers);
        // (An id B sent itself may come back, e.g. as a 404 problem's `instance`.)
        const sent = `${probe.path} ${JSON.stringify(probe.query)}`;
        const leaked = idsOfA.filter((id) => view.text.includes(id) && !sent.includes(id));
        if (leaked.length) leaks.push(`${probe.name} as B's ${who} shows A's ${leaked.join(', ')}`);
        // A view of the moment (rolling windows, the audit log written as events arrive) is
        // checked for A's ids only.
        else if (!momentary(probe) && normalised(view) !== control)
          leaks.push(
            `${probe.name} as B's ${who}: ${normalised(view).slice(0, 300)}\n  new tenant: ${control.slice(0, 300)}`,
          );
      }
    }
    expect(leaks).toEqual([]);
    // The reads aimed at A's data do show A's data to A: the comparison above has teeth.
    const expectedToShowData = [
      '/api/v1/reporting/overview',
      '/api/v1/reporting/channels',
      '/api/v1/reporting/channels filtered',
      '/api/v1/reporting/timeseries',
      '/api/v1/reporting/exports/daily-channel (csv)',
      '/api/v1/reporting/exports/daily-channel filtered (json)',
      '/api/v1/attribution/credits',
      '/api/v1/attribution/credits filtered',
      '/api/v1/attribution/runs',
      '/api/v1/attribution/runs/{runId}/result',
      '/api/v1/forecasting/runs',
      '/api/v1/forecasting/runs/{runId}/results',
      '/api/v1/forecasting/skus/{sku}',
      '/api/v1/ingestion/spend',
      '/api/v1/ingestion/webhook-sources/{sourceId}',
      '/api/v1/auth/api-keys',
      '/api/v1/auth/members/{userId}',
      '/api/v1/reporting/webhooks',
      '/api/v1/reporting/pings/{pingId}',
    ];
    expect(expectedToShowData.filter((name) => !showingData.includes(name))).toEqual([]);
  });

  it("lets B neither read nor change any of A's resources by id, and A's views stay as they were", async () => {
    const wrong: string[] = [];
    for (const op of byId)
      for (const [who, headers] of [
        ['owner', b.owner],
        ['key', b.key],
      ] as const) {
        const response = await api.request(op.method, op.template, {
          params: paramsOf(op),
          headers,
          body: op.bodySchema === undefined ? undefined : sampleValue(op.bodySchema),
        });
        // 400: the sample request lacks a required field, refused before any data was read.
        if (![400, 403, 404].includes(response.status))
          wrong.push(`${op.method} ${op.template} on A's resource as B's ${who}: ${response.status}`);
      }
    expect(wrong).toEqual([]);

    // B's ingest key sends some of A's events again (A's message ids, A's anonymous ids): new
    // events of B's, neither duplicates of A's nor merged into A's profiles.
    const replayed = world.events[0].slice(0, 20);
    const receipt = await call<{ accepted: number; duplicates: number }>(
      stack.urls.gateway,
      'POST',
      '/api/v1/ingestion/v1/batch',
      { basic: b.ingestKey, body: { batch: replayed } },
    );
    expect(receipt).toMatchObject({ accepted: replayed.length, duplicates: 0 });
    const from = isoDay(world.start.getTime());
    const to = isoDay(world.start.getTime() + (world.days - 1) * DAY);
    await eventually(
      async () => {
        const overview = await call<{ kpis: { name: string; value: number }[] }>(
          stack.urls.gateway,
          'GET',
          `/api/v1/reporting/overview?from=${from}&to=${to}`,
          { headers: b.owner },
        );
        return (overview.kpis.find((k) => k.name === 'sessions')?.value ?? 0) > 0;
      },
      60_000,
      1_000,
    );

    const changed: string[] = [];
    for (const probe of probes.filter((p) => !momentary(p))) {
      const before = viewsOfA.get(probe.name)!;
      const after = normalised(await read(probe, a.owner));
      let at = 0;
      while (at < before.length && before[at] === after[at]) at++;
      if (after !== before)
        changed.push(
          `${probe.name}: ${before.slice(at - 80, at + 120)}\n  now: ${after.slice(at - 80, at + 120)}`,
        );
    }
    expect(changed).toEqual([]);
  });
});
