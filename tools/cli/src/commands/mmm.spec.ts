import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simulateMmm } from '@sextant/domain/mmm';
import { command, parseCsv } from './mmm';

function writeCsv(rows: (string | number)[][]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sextant-mmm-')), 'weekly.csv');
  writeFileSync(file, rows.map((r) => r.join(',')).join('\n') + '\n');
  return file;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await command.run(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('sextant mmm', () => {
  const sim = simulateMmm({ weeks: 80, channels: 2, seed: 12 });
  const rows = [
    ['week', 'revenue', 'search', 'social'],
    ...sim.data.dates.map((d, t) => [
      d,
      sim.data.target[t],
      sim.data.channels[0].spend[t],
      sim.data.channels[1].spend[t],
    ]),
  ];
  const base = ['--date', 'week', '--target', 'revenue', '--channels', 'search,social'];

  it('fits a weekly CSV and prints the documented JSON', async () => {
    const file = writeCsv(rows);
    const { code, stdout, stderr } = await run([
      '--input',
      file,
      ...base,
      '--chains',
      '4',
      '--tune',
      '500',
      '--draws',
      '500',
      '--seed',
      '3',
      '--holdout',
      '8',
      '--budget-bound',
      '0.3',
      '--format',
      'json',
    ]);
    expect(stderr).toMatch(/sampling 100%/);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(Object.keys(json.channels)).toEqual(['search', 'social']);
    for (const channel of Object.values(json.channels) as {
      roas: Record<string, number>;
      share: Record<string, number>;
    }[]) {
      expect(channel.roas.hdi_low).toBeLessThanOrEqual(channel.roas.mean);
      expect(channel.roas.hdi_high).toBeGreaterThanOrEqual(channel.roas.mean);
      expect(channel.share.mean).toBeGreaterThan(0);
    }
    expect(json.diagnostics).toMatchObject({ converged: true, divergences: 0 });
    expect(json.diagnostics.rhat_max).toBeLessThan(1.01);
    expect(json.diagnostics.ess_bulk_min).toBeGreaterThan(400);
    expect(json.fit.weeks).toBe(72);
    expect(json.holdout.weeks).toBe(8);
    expect(json.holdout.mape).toBeLessThan(0.1);
    const budget = Object.values(json.budget.channels) as {
      current: number;
      optimal: number;
      lower: number;
      upper: number;
    }[];
    expect(budget.reduce((s, c) => s + c.optimal, 0)).toBeCloseTo(json.budget.weekly_budget, 6);
    for (const c of budget) expect(c.optimal).toBeLessThanOrEqual(c.upper + 1e-9);
  }, 120_000);

  it('reports a fit that did not converge with exit status 3 and no estimates', async () => {
    const file = writeCsv(rows);
    const { code, stdout } = await run([
      '--input',
      file,
      ...base,
      '--chains',
      '2',
      '--tune',
      '10',
      '--draws',
      '20',
      '--format',
      'json',
    ]);
    expect(code).toBe(3);
    const json = JSON.parse(stdout);
    expect(json.diagnostics.converged).toBe(false);
    expect(json.diagnostics.problems.length).toBeGreaterThan(0);
    expect(json.channels).toBeUndefined();
  });

  it('rejects negative spend and missing weeks with exit status 2 and the reason', async () => {
    const negative = rows.map((r, i) => (i === 5 ? [r[0], r[1], -10, r[3]] : r));
    const result = await run(['--input', writeCsv(negative), ...base]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/negative spend/);
    const gap = rows.filter((_, i) => i !== 20);
    expect((await run(['--input', writeCsv(gap), ...base])).stderr).toMatch(/weeks must be consecutive/);
    const blank = rows.map((r, i) => (i === 7 ? [r[0], '', r[2], r[3]] : r));
    expect((await run(['--input', writeCsv(blank), ...base])).stderr).toMatch(/not a finite number in week/);
  });

  it('rejects bad usage', async () => {
    expect((await run(['--input', 'x.csv', '--date', 'week'])).code).toBe(2);
    const unknownColumn = await run(['--input', writeCsv(rows), ...base.slice(0, 4), '--channels', 'tv']);
    expect(unknownColumn.code).toBe(2);
    expect(unknownColumn.stderr).toMatch(/no column 'tv'/);
  });

  it('reads quoted CSV fields', () => {
    expect(parseCsv('a,"b ""q""",c\r\n1,"2,5",3\n')).toEqual({
      header: ['a', 'b "q"', 'c'],
      rows: [['1', '2,5', '3']],
    });
  });
});
