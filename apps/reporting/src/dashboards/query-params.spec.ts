import { ApiProblem } from '@sextant/platform/http';
import { checkedPeriod, monthSplit, PageCursor, type Period, previousPeriod } from './query-params';

describe('dashboard query parameters', () => {
  it('takes inclusive day ranges and the equally long period before', () => {
    const period = checkedPeriod('2026-03-01', '2026-03-31');
    expect(period.days).toBe(31);
    expect(previousPeriod(period)).toEqual({ from: '2026-01-29', to: '2026-02-28' });
  });

  it.each([
    ['2026-03-05', '2026-03-01'],
    ['2026-02-30', '2026-03-01'],
    ['2020-01-01', '2026-01-01'],
  ])('refuses %s..%s with a 400', (from, to) => {
    expect(() => checkedPeriod(from, to)).toThrow(ApiProblem);
  });

  it('binds cursors to their query', () => {
    const query = { from: '2026-01-01', sort: 'revenue' };
    expect(PageCursor.decode(PageCursor.encode(50, query), query)).toBe(50);
    expect(() => PageCursor.decode(PageCursor.encode(50, query), { ...query, sort: 'spend' })).toThrow(
      ApiProblem,
    );
    expect(() => PageCursor.decode('garbage', query)).toThrow(ApiProblem);
  });

  describe('monthSplit', () => {
    const DAY = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    /** Independently: every day of the period, its months kept whole when all their days are in it. */
    function bruteForce(p: Period) {
      const days: string[] = [];
      for (let t = Date.parse(`${p.from}T00:00:00Z`); t <= Date.parse(`${p.to}T00:00:00Z`); t += DAY)
        days.push(iso(t));
      const inPeriod = new Set(days);
      const isWhole = (month: string) => {
        const [y, m] = month.split('-').map(Number);
        for (let t = Date.UTC(y, m - 1, 1); new Date(t).getUTCMonth() === m - 1; t += DAY)
          if (!inPeriod.has(iso(t))) return false;
        return true;
      };
      const wholeMonths = [...new Set(days.map((d) => d.slice(0, 7)))].filter(isWhole);
      const loose = days.filter((d) => !wholeMonths.includes(d.slice(0, 7)));
      return { wholeMonths, loose };
    }
    /** The months and days a split covers, listed one by one. */
    function covered(split: ReturnType<typeof monthSplit>) {
      const months: string[] = [];
      if (split.months)
        for (let t = Date.parse(`${split.months.from}T00:00:00Z`); iso(t) <= split.months.to;) {
          months.push(iso(t).slice(0, 7));
          const d = new Date(t);
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        }
      const loose = split.days.flatMap(expandDays);
      return { wholeMonths: months, loose };
    }
    function expandDays(r: Period) {
      const out: string[] = [];
      for (let t = Date.parse(`${r.from}T00:00:00Z`); t <= Date.parse(`${r.to}T00:00:00Z`); t += DAY)
        out.push(iso(t));
      return out;
    }

    it.each([
      ['2026-01-01', '2026-01-31', ['2026-01'], 0],
      ['2026-01-02', '2026-01-31', [], 30],
      ['2026-01-15', '2026-03-10', ['2026-02'], 17 + 10],
      ['2024-02-01', '2024-02-29', ['2024-02'], 0],
      ['2025-11-30', '2026-11-29', ['2025-12', '2026-01', '2026-10'], 1 + 29],
      ['2026-05-07', '2026-05-07', [], 1],
    ])('splits %s..%s', (from, to, someMonths, looseDays) => {
      const split = monthSplit({ from, to });
      const got = covered(split);
      for (const m of someMonths) expect(got.wholeMonths).toContain(m);
      expect(got.loose).toHaveLength(looseDays);
    });

    it('covers every day of random periods exactly once, months only where whole', () => {
      let seed = 7;
      const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < 200; i++) {
        const start = Date.UTC(2023, 0, 1) + Math.floor(next() * 1_000) * DAY;
        const period = { from: iso(start), to: iso(start + Math.floor(next() * 731) * DAY) };
        expect(covered(monthSplit(period))).toEqual(bruteForce(period));
      }
    });
  });
});
