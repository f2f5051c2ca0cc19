import { columnList, DatasetInputError, parseCsvRows, toMmmData } from './dataset-input';
import { eventSeries, EventSeriesError, mondayOf, weeksBetween } from './event-series';

describe('dataset uploads', () => {
  const roles = {
    dateColumn: 'week',
    targetColumn: 'sales',
    channelColumns: ['tv', 'search'],
    controlColumns: [],
  };

  it('reads CSV rows into the model input, empty and non-numeric cells as NaN for the model to report', () => {
    const rows = parseCsvRows(
      '\uFEFFweek,sales,tv,search\n2026-01-05,100,1.5,2\n2026-01-12, 90 ,,x\n2026-01-19,80,inf,-Infinity\n',
    );
    expect(toMmmData(rows, roles)).toEqual({
      dates: ['2026-01-05', '2026-01-12', '2026-01-19'],
      target: [100, 90, 80],
      channels: [
        { name: 'tv', spend: [1.5, NaN, Infinity] },
        { name: 'search', spend: [2, NaN, -Infinity] },
      ],
      controls: [],
    });
  });

  it('names a missing column, a column with two roles, an unreadable CSV and an empty one', () => {
    const rows = [{ week: '2026-01-05', sales: 1, tv: 2 }];
    expect(() => toMmmData(rows, roles)).toThrow(
      new DatasetInputError("column 'search' is not in the data", 'search'),
    );
    expect(() => toMmmData(rows, { ...roles, channelColumns: ['tv', 'tv'] })).toThrow(/'tv' has two roles/);
    expect(() => parseCsvRows('a,b\n1,2,3\n')).toThrow(/the CSV cannot be read/);
    expect(() => toMmmData([], roles)).toThrow(/no rows/);
    expect(columnList(' tv, ,search ')).toEqual(['tv', 'search']);
  });
});

describe('event-fed weekly series', () => {
  it('aligns weeks on Mondays', () => {
    expect(mondayOf('2026-01-11')).toBe('2026-01-05'); // a Sunday
    expect(mondayOf('2026-01-05')).toBe('2026-01-05');
    expect(weeksBetween('2026-01-07', '2026-01-19')).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
  });

  it('fills weeks without rows with zero and keeps the requested channels only', () => {
    const weeks = ['2026-01-05', '2026-01-12'];
    const spend = [
      { week: '2026-01-05', channel: 'tv', currency: 'EUR', amountMinor: 1000 },
      { week: '2026-01-12', channel: 'search', currency: 'EUR', amountMinor: 250 },
    ];
    const revenue = [{ week: '2026-01-12', currency: 'EUR', amountMinor: 99_999 }];
    expect(eventSeries(weeks, spend, revenue, ['search'])).toEqual({
      dates: weeks,
      target: [0, 999.99],
      channels: [{ name: 'search', spend: [0, 2.5] }],
      controls: [],
    });
    expect(() => eventSeries(weeks, spend, revenue, ['radio'])).toThrow(
      /no spend recorded for channel\(s\) radio/,
    );
    expect(() => eventSeries(weeks, spend, [{ ...revenue[0], currency: 'USD' }])).toThrow(EventSeriesError);
    expect(() => eventSeries(weeks, [], revenue)).toThrow(/no spend is recorded/);
  });
});
