import { gatewayOpenApiDocument } from '@sextant/contracts';
import { ContractValidator } from '@sextant/platform/http';
import { fuzzRequests, type RunningStack, startStack, testEnvironment } from '@sextant/testing';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

// Property-based requests from every operation of the merged contract, through the gateway to the
// real services: whatever arrives, no 5xx, every error is problem+json, every answer is documented.
describe(`contract fuzzing (${REQUESTS} requests, seed ${SEED})`, () => {
  const env = testEnvironment();
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await startStack(env, undefined, { RATE_LIMIT_MAX: '1000000' });
  });
  afterAll(() => stack?.stop());

  it('never answers 5xx, and answers errors as documented problem+json', async () => {
    const validator = new ContractValidator(gatewayOpenApiDocument);
    const requests = fuzzRequests(gatewayOpenApiDocument, REQUESTS, SEED);
    expect(requests.length).toBe(REQUESTS);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < requests.length; i += 16) {
      await Promise.all(
        requests.slice(i, i + 16).map(async (request) => {
          // Each request from its own address, so auth's per-address login throttle (whose state
          // the run's other stacks share) is not filled by the fuzzer's thousands of bad logins.
          const headers = {
            ...request.headers,
            'x-forwarded-for': `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`,
          };
          const response = await fetch(`${stack.urls.gateway}${request.path}`, {
            method: request.method,
            headers,
            body: request.body,
          });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const text = await response.text();
          const contentType = response.headers.get('content-type')?.split(';')[0];
          const body = contentType?.includes('json') && text ? JSON.parse(text) : text;
          const problems =
            response.status >= 500
              ? ['5xx']
              : validator.validateResponse(
                  request.method,
                  request.template,
                  response.status,
                  contentType,
                  body,
                );
          if (response.status >= 400 && contentType !== 'application/problem+json')
            problems.push(`error as ${contentType}`);
          if (problems.length && failures.length < 20)
            failures.push(
              `${request.method} ${request.path.slice(0, 200)} -> ${response.status}: ${problems.join('; ')} ${text.slice(0, 200)}`,
            );
        }),
      );
    }
    expect(failures).toEqual([]);
    // The generator reaches both sides of the contract: accepted requests and rejected ones.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    const rejected = [...statuses].filter(([status]) => status >= 400 && status < 500);
    expect(rejected.reduce((sum, [, count]) => sum + count, 0)).toBeGreaterThan(REQUESTS / 10);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  });
});
