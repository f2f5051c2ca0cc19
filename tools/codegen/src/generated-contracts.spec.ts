import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

// libs/contracts is generated from contracts/ and committed: regenerating must change nothing.
it('libs/contracts matches what contracts/ generates', () => {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'tools/codegen/generate-contracts.mjs'), '--check'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}, 60_000);
