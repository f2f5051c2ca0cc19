import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { command } from './attribution';

const dir = mkdtempSync(path.join(tmpdir(), 'sextant-attribution-'));
const HEADER = 'path;total_conversions;total_conversion_value;total_null';

function file(name: string, lines: string[]): string {
  const target = path.join(dir, name);
  writeFileSync(target, `${lines.join('\n')}\n`);
  return target;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await command.run(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// The classic three-path example: Markov credits 0.2 / 0.4 / 0.4.
const classic = file('classic.csv', [HEADER, 'C1 > C2 > C3;1;10;0', 'C1;0;0;1', 'C2 > C3;0;0;1']);

describe('sextant attribution', () => {
  it('prints every model as JSON, with totals and Markov details', async () => {
    const { code, stdout, stderr } = await run(['--paths', classic]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.totals).toEqual({ conversions: 1, value: 10, nulls: 2, paths: 3 });
    expect(Object.keys(report.models)).toEqual([
      'first_touch',
      'last_touch',
      'last_non_direct',
      'linear',
      'time_decay',
      'position_based',
      'markov',
      'shapley',
      'shapley_exact',
    ]);
    expect(report.models.markov.C1.conversions).toBeCloseTo(0.2, 12);
    expect(report.models.markov.C2.value).toBeCloseTo(4, 12);
    expect(report.models.first_touch.C1).toEqual({ conversions: 1, value: 10 });
    expect(report.models.linear.C3.conversions).toBeCloseTo(1 / 3, 12);
    expect(report.markov).toMatchObject({
      order: 1,
      null_paths: true,
      conversion_probability: expect.closeTo(1 / 3, 12),
    });
    expect(stderr).toContain('time_decay: path files have no timestamps');
  });

  it('runs one model as CSV, without null paths', async () => {
    const { code, stdout } = await run([
      '--paths',
      classic,
      '--model',
      'markov',
      '--no-null',
      '--format',
      'csv',
    ]);
    expect(code).toBe(0);
    // Without null paths only C1>C2>C3 remains: every channel is necessary.
    expect(stdout.trim().split('\n')).toEqual([
      'model,channel,conversions,value',
      expect.stringMatching(/^markov,C1,0\.333333333333333\d*,3\.33333333333333\d*$/),
      expect.stringMatching(/^markov,C2,0\.333/),
      expect.stringMatching(/^markov,C3,0\.333/),
    ]);
  });

  it('accepts a higher Markov order', async () => {
    const { code, stdout } = await run(['--paths', classic, '--model', 'markov', '--order', '2']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).markov.order).toBe(2);
  });

  it('reports malformed input with its line number on stderr', async () => {
    const bad = file('bad.csv', [HEADER, 'a > b;1;2;0', 'a > b;1;-2;0']);
    const { code, stdout, stderr } = await run(['--paths', bad]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`sextant attribution: ${bad}: line 3: total_conversion_value is negative: -2\n`);
  });

  it('reports a missing file', async () => {
    const { code, stderr } = await run(['--paths', path.join(dir, 'missing.csv')]);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read');
  });

  it.each([
    [[], '--paths FILE is required'],
    [['--paths', classic, '--model', 'magic'], "unknown model 'magic'"],
    [['--paths', classic, '--order', '5'], '--order must be 1, 2, 3 or 4'],
    [['--paths', classic, '--format', 'xml'], '--format must be json or csv'],
    [['--paths', classic, '--bogus'], "Unknown option '--bogus'"],
  ])('rejects the command line %p', async (argv, message) => {
    const { code, stderr } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: sextant attribution');
  });

  it('leaves exact Shapley out of "all" above 15 channels, and fails when it is asked for', async () => {
    const wide = file('wide.csv', [
      HEADER,
      `${Array.from({ length: 16 }, (_, i) => `c${i}`).join(' > ')};1;1;0`,
    ]);
    const all = await run(['--paths', wide]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).models.shapley_exact).toBeUndefined();
    expect(all.stderr).toContain('shapley_exact: skipped, 16 channels');
    const exact = await run(['--paths', wide, '--model', 'shapley_exact']);
    expect(exact.code).toBe(1);
    expect(exact.stderr).toContain('exact Shapley supports at most 15 channels');
  });
});
