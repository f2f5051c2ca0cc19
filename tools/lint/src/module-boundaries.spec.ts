import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

// The boundaries of ARCHITECTURE.md section 2 are enforced by lint: these imports must fail it.
describe('module boundaries (eslint @nx/enforce-module-boundaries)', () => {
  // The rule reads Nx's cached project graph and silently skips itself without one: compute it.
  beforeAll(() => {
    const graph = spawnSync(path.join(ROOT, 'node_modules/.bin/nx'), ['show', 'projects'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false' },
      encoding: 'utf8',
    });
    expect(graph.status).toBe(0);
  }, 60_000);

  // The eslint CLI in a child process: its flat config is an ES module, which jest's VM cannot load.
  async function boundaryErrors(file: string, code: string): Promise<string[]> {
    const child = spawn(
      path.join(ROOT, 'node_modules/.bin/eslint'),
      ['--stdin', '--stdin-filename', file, '--format', 'json'],
      { cwd: ROOT },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end(code);
    await new Promise((resolve) => child.on('close', resolve));
    const [result] = JSON.parse(stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    return result.messages
      .filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports')
      .map((m) => m.message);
  }

  it.each([
    [
      'domain code importing a platform library',
      'libs/domain/forecasting/src/probe.ts',
      "import { withTenant } from '@sextant/platform/database';\nexport const x = withTenant;\n",
    ],
    [
      'domain code importing NestJS',
      'libs/domain/attribution/src/probe.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    ],
    [
      'a platform library importing a domain library',
      'libs/platform/http/src/probe.ts',
      "import * as m from '@sextant/domain/mmm';\nexport const x = m;\n",
    ],
    [
      'the contracts library importing anything of ours',
      'libs/contracts/src/probe.ts',
      "import { loadConfig } from '@sextant/platform/config';\nexport const x = loadConfig;\n",
    ],
  ])('rejects %s', async (_, file, code) => {
    expect((await boundaryErrors(file, code)).length).toBeGreaterThan(0);
  });

  it('rejects one app importing another', async () => {
    const errors = await boundaryErrors(
      'apps/reporting/src/probe.ts',
      "import { PingsService } from '../../ingestion/src/pings/pings.service';\nexport const x = PingsService;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('accepts the allowed directions', async () => {
    expect(
      await boundaryErrors(
        'apps/reporting/src/probe.ts',
        "import { withTenant } from '@sextant/platform/database';\nexport const x = withTenant;\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'libs/platform/http/src/probe.ts',
        "import { TOPIC_CATALOGUE } from '@sextant/contracts';\nexport const x = TOPIC_CATALOGUE;\n",
      ),
    ).toEqual([]);
  });
});
