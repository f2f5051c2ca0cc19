import { gatewayOpenApiDocument } from '@sextant/contracts';
import { ContractClient, eventually, type RunningStack, startStack, testEnvironment } from '@sextant/testing';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** The bash block of the README's auth walk-through, exactly as a reader copies it. */
function walkThrough(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Accounts, MFA, API keys and the audit log')[1];
  return /```bash\n([\s\S]*?)```/.exec(section)![1];
}

describe('README: register, enable MFA, invite a colleague, create an ingest key, read the audit log', () => {
  const env = testEnvironment();
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'ingestion', 'gateway']);
  });
  afterAll(() => stack?.stop());

  it('works as written, through the gateway', async () => {
    const gateway = new URL(stack.urls.gateway);
    const script = `set -euo pipefail\n${walkThrough().replaceAll('localhost:3000', gateway.host)}\necho "OWNER=$OWNER"\n`;
    const output = execFileSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(output).toMatch(/"recoveryCodes":\["[0-9a-z]{5}-[0-9a-z]{5}"/);
    expect(output).toContain('"requireMfa":true');
    expect(output).toContain('"pingId"');
    expect(output).toContain('"status":403');
    const lines = output.split('\n');
    const owner = lines.find((l) => l.startsWith('OWNER='))!.slice('OWNER='.length);
    expect(lines).toEqual(
      expect.arrayContaining([
        'auth api-key.create success user',
        'auth tenant.settings success user',
        'auth mfa.enable success user',
        'auth listMembers denied api_key',
      ]),
    );

    const api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    const actions = await eventually(async () => {
      const page = await api.request<{ items: { service: string; action: string; actorType: string }[] }>(
        'GET',
        '/api/v1/auth/audit-events',
        { headers: { authorization: `Bearer ${owner}` }, query: { limit: '200' } },
      );
      const found = page.body.items.map((e) => `${e.service} ${e.action} ${e.actorType}`);
      return found.includes('ingestion recordPing api_key') ? found : undefined;
    });
    expect(actions).toEqual(
      expect.arrayContaining([
        'auth register user',
        'auth invite.create user',
        'auth invite.accept user',
        'auth api-key.exchange api_key',
        'auth login user',
      ]),
    );
  });
});
