import { ApiProblem } from '@sextant/platform/http';
import { checkedPeriod, PageCursor, previousPeriod } from './query-params';

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
});
