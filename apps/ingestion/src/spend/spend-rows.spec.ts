import { readCsvSpend, readJsonSpend } from './spend-rows';

describe('spend rows', () => {
  it('reads a CSV with columns in any order, a BOM, quoted fields and empty optional cells', () => {
    const csv =
      '\uFEFFcurrency,date,channel,campaign,amount,clicks,impressions\r\n' +
      'usd,2026-03-01,Paid Search,"brand, exact",1234.5,17,\r\n' +
      'JPY,2026-03-02,Display,,1000,,250\r\n';
    expect(readCsvSpend(csv)).toEqual({
      ok: true,
      rows: [
        {
          date: '2026-03-01',
          channel: 'Paid Search',
          campaign: 'brand, exact',
          currency: 'USD',
          amountMinor: 123450,
          impressions: null,
          clicks: 17,
        },
        {
          date: '2026-03-02',
          channel: 'Display',
          campaign: '',
          currency: 'JPY',
          amountMinor: 1000,
          impressions: 250,
          clicks: null,
        },
      ],
    });
  });

  it('names the file line and field of every bad cell', () => {
    const csv =
      'date,channel,currency,amount,clicks\n2026-02-30,Email,USD,1,x\n\n2026-03-01,Email,JPY,1.5,2\n';
    expect(readCsvSpend(csv)).toEqual({
      ok: false,
      errors: [
        { field: '/line/2/date', message: 'must be a calendar date YYYY-MM-DD' },
        { field: '/line/2/clicks', message: 'must be a whole number >= 0' },
        { field: '/line/4/amount', message: '"1.5" has more than 0 decimals for JPY' },
      ],
    });
  });

  it('refuses a header without the required columns, a ragged line and an empty file', () => {
    expect(readCsvSpend('date,channel,amount\n2026-03-01,Email,1')).toEqual({
      ok: false,
      errors: [{ field: '/line/1/currency', message: 'column is missing from the header' }],
    });
    const ragged = readCsvSpend('date,channel,currency,amount\n2026-03-01,Email,USD');
    expect(ragged.ok).toBe(false);
    expect(!ragged.ok && ragged.errors[0].field).toBe('/line/2');
    expect(readCsvSpend('date,channel,currency,amount\n')).toEqual({
      ok: false,
      errors: [{ field: '/body', message: 'has no data lines' }],
    });
  });

  it('refuses a JSON import repeating a day of a channel and campaign', () => {
    const row = { date: '2026-03-01', channel: 'Email', currency: 'EUR', amount: '5' };
    expect(readJsonSpend([row, { ...row, campaign: 'other' }, { ...row, campaign: '' }])).toEqual({
      ok: false,
      errors: [{ field: '/rows/2/date', message: 'repeats the date, channel and campaign of /rows/0' }],
    });
  });
});
