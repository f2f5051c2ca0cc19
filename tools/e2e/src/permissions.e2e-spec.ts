import { gatewayOpenApiDocument } from '@sextant/contracts';
import {
  ContractClient,
  type ContractOperation,
  contractOperations,
  type RunningStack,
  sampleValue,
  signUp,
  type SignedUpOwner,
  startStack,
  testEnvironment,
} from '@sextant/testing';
import { randomUUID } from 'node:crypto';

const VIEWER_PERMISSIONS = ['reports:read', 'members:read']; // apps/auth/src/access/roles.ts
const protectedOperations = contractOperations.filter((o) => !o.public);

/**
 * Table-driven over the merged contract (every protected operation, whoever adds it): without a
 * credential 401; as a viewer where the operation's `x-sextant-permission` is more than a viewer
 * has, 403. (What another tenant can see or change is `isolation.e2e-spec.ts`.)
 */
describe('permissions of every operation in the merged contract (whole stack)', () => {
  const env = testEnvironment();
  let stack: RunningStack;
  let api: ContractClient;
  let owner: SignedUpOwner;
  let viewer: { authorization: string };

  /** The operation on the owner's own resources where it has them, with a minimal valid body. */
  const call = (op: ContractOperation, headers: Record<string, string>) =>
    api.request(op.method, op.template, {
      params: Object.fromEntries(
        op.pathParameters.map((p) => [p, p === 'userId' ? owner.userId : randomUUID()]),
      ),
      headers,
      body: op.bodySchema === undefined ? undefined : sampleValue(op.bodySchema),
    });

  beforeAll(async () => {
    stack = await startStack(env, undefined, { RATE_LIMIT_MAX: '100000' });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    owner = await signUp(stack.urls.gateway, 'Shop A');
    const invite = await api.request<{ inviteToken: string; email: string }>('POST', '/api/v1/auth/invites', {
      headers: owner.headers,
      body: { email: `${randomUUID()}@example.com`, role: 'viewer' },
    });
    const password = `viewer ${randomUUID()}`;
    await api.request('POST', '/api/v1/auth/invites/accept', {
      body: { inviteToken: invite.body.inviteToken, password },
    });
    const login = await api.request<{ accessToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: invite.body.email, password, tenantId: owner.tenantId },
    });
    viewer = { authorization: `Bearer ${login.body.accessToken}` };
  }, 600_000); // the whole stack's cold start on a busy machine
  afterAll(() => stack?.stop());

  it('covers the operations of every service that has protected ones', () => {
    const domains = new Set(protectedOperations.map((o) => o.template.split('/')[3]));
    expect([...domains]).toEqual(
      expect.arrayContaining(['auth', 'ingestion', 'attribution', 'forecasting', 'reporting']),
    );
  });

  it('answers 401 to every protected operation called without a credential', async () => {
    const wrong: string[] = [];
    for (const op of protectedOperations) {
      const response = await call(op, {});
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
      const response = await call(op, viewer);
      if (response.status !== 403)
        wrong.push(`${op.method} ${op.template} (${op.permission}): ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
