import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { command, parseLongCsv } from './forecast';

const dir = mkdtempSync(path.join(tmpdir(), 'sextant-forecast-'));

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
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
    const code = await command.run(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function longCsv(series: Record<string, number[]>): string {
  const lines = ['series_id,t,value'];
  for (const [id, values] of Object.entries(series))
    values.forEach((v, t) => lines.push(`${id},${t + 1},${v}`));
  return `${lines.join('\n')}\n`;
}

const weekly = Array.from({ length: 70 }, (_, t) => 20 + 5 * Math.sin((2 * Math.PI * t) / 7) + (t % 3));
const sparse = Array.from({ length: 70 }, (_, t) => (t % 4 === 0 ? 3 + (t % 3) : 0));

describe('sextant forecast', () => {
  it('prints JSON with class, method, forecasts and intervals per series', async () => {
    const input = file('ok.csv', longCsv({ a: weekly, b: sparse }));
    const { code, stdout, stderr } = await run([
      '--input',
      input,
      '--horizon',
      '14',
      '--season',
      '7',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('2/2 series');
    const body = JSON.parse(stdout);
    expect(body.series.map((s: { id: string }) => s.id)).toEqual(['a', 'b']);
    for (const s of body.series) {
      expect(typeof s.class).toBe('string');
      expect(typeof s.method).toBe('string');
      expect(s.forecast).toHaveLength(14);
      expect(s.intervals['80'].lower).toHaveLength(14);
      expect(s.intervals['95'].upper).toHaveLength(14);
    }
    expect(['intermittent', 'lumpy']).toContain(body.series[1].class);
  });

  it('honours --method, --levels and --format csv', async () => {
    const input = file('ok2.csv', longCsv({ b: sparse }));
    const { code, stdout } = await run([
      '--input',
      input,
      '--horizon',
      '3',
      '--season',
      '7',
      '--method',
      'sba',
      '--levels',
      '90',
      '--format',
      'csv',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('series_id,step,forecast,lower_90,upper_90');
    expect(lines).toHaveLength(4);
    expect(lines[1].startsWith('b,1,')).toBe(true);
  });

  it.each([
    [
      'non-numeric value',
      'series_id,t,value\na,1,3\na,2,abc\n',
      /line 3: value 'abc' is not a number \(series 'a'\)/,
    ],
    ['negative value', 'series_id,t,value\na,1,3\na,2,-1\n', /line 3: value -1 is negative/],
    [
      'duplicate t',
      'series_id,t,value\na,1,3\nb,1,2\na,1,4\n',
      /series 'a': duplicate t=1 \(lines 2 and 4\)/,
    ],
    [
      'gap',
      'series_id,t,value\na,1,3\na,2,3\na,5,3\n',
      /series 'a': gap between t=2 \(line 3\) and t=5 \(line 4\)/,
    ],
    ['bad header', 'id,time,qty\na,1,3\n', /line 1: expected the header/],
  ])('rejects a %s naming the line or series, with a non-zero exit', async (_label, text, message) => {
    const input = file('bad.csv', text);
    const { code, stderr, stdout } = await run(['--input', input, '--horizon', '3', '--season', '1']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('rejects a bad command line with the usage', async () => {
    const { code, stderr } = await run(['--input', 'x.csv', '--horizon', '0', '--season', '7']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--horizon must be a positive integer/);
    expect((await run(['--horizon', '3', '--season', '7'])).stderr).toMatch(/--input is required/);
    const outOfRange = await run(['--input', 'x.csv', '--horizon', '20000', '--season', '7']);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toMatch(/horizon must be an integer between 1 and 10000, got 20000/);
    expect((await run(['--input', 'x', '--horizon', '3', '--season', '7', '--method', 'magic'])).code).toBe(
      2,
    );
  });

  it('parses series in order of first appearance, sorting t within a series', () => {
    expect(parseLongCsv('series_id,t,value\nb,2,5\na,1,1\nb,1,4\n')).toEqual([
      { id: 'b', values: [4, 5] },
      { id: 'a', values: [1] },
    ]);
  });
});
