import fc from 'fast-check';
import { correctClockSkew, DEFAULT_FUTURE_TOLERANCE_MS, normaliseTimestamps } from './timestamps';

const iso = (ms: number) => new Date(ms).toISOString();

describe('normaliseTimestamps', () => {
  it("Segment's example: receivedAt - (sentAt - originalTimestamp)", () => {
    // spec/common: sentAt 04:08:31.581, receivedAt 04:08:31.909; a client time of 04:08:31.577
    // (4 ms before sending) is 04:08:31.905 on the server's clock.
    const result = normaliseTimestamps(
      { originalTimestamp: '2015-12-10T04:08:31.577Z', sentAt: '2015-12-10T04:08:31.581Z' },
      { receivedAt: Date.parse('2015-12-10T04:08:31.909Z') },
    );
    expect(result).toEqual({
      ok: true,
      times: {
        timestamp: Date.parse('2015-12-10T04:08:31.905Z'),
        originalTimestamp: Date.parse('2015-12-10T04:08:31.577Z'),
        sentAt: Date.parse('2015-12-10T04:08:31.581Z'),
        receivedAt: Date.parse('2015-12-10T04:08:31.909Z'),
        clockSkewMs: -328,
        corrected: true,
        inFuture: false,
      },
    });
  });

  it('a client `timestamp` stands for originalTimestamp', () => {
    const result = normaliseTimestamps(
      { timestamp: '2026-01-01T00:00:00Z', sentAt: '2026-01-01T01:00:05Z' },
      { receivedAt: Date.parse('2026-01-01T00:00:10Z') },
    );
    expect(result).toMatchObject({
      ok: true,
      times: { timestamp: Date.parse('2025-12-31T23:00:05Z'), clockSkewMs: 3_595_000 },
    });
  });

  it('no client time: the server time; a client time without sentAt: kept as is (historical import)', () => {
    const receivedAt = Date.parse('2026-01-01T00:00:00Z');
    expect(normaliseTimestamps({ sentAt: '2030-01-01T00:00:00Z' }, { receivedAt })).toMatchObject({
      ok: true,
      times: { timestamp: receivedAt, corrected: false, clockSkewMs: 0 },
    });
    expect(normaliseTimestamps({ timestamp: '2012-12-02T00:30:08.276Z' }, { receivedAt })).toMatchObject({
      ok: true,
      times: { timestamp: Date.parse('2012-12-02T00:30:08.276Z'), corrected: false },
    });
  });

  it('flags events beyond the future tolerance (configurable)', () => {
    const receivedAt = Date.parse('2026-01-01T00:00:00Z');
    const soon = { timestamp: iso(receivedAt + DEFAULT_FUTURE_TOLERANCE_MS) };
    const later = { timestamp: iso(receivedAt + DEFAULT_FUTURE_TOLERANCE_MS + 1) };
    expect(normaliseTimestamps(soon, { receivedAt })).toMatchObject({ times: { inFuture: false } });
    expect(normaliseTimestamps(later, { receivedAt })).toMatchObject({ times: { inFuture: true } });
    expect(normaliseTimestamps(later, { receivedAt, futureToleranceMs: 3_600_000 })).toMatchObject({
      times: { inFuture: false },
    });
  });

  it('rejects unreadable timestamps, naming each field', () => {
    expect(
      normaliseTimestamps(
        { timestamp: 'yesterday', sentAt: '2026-13-01T00:00:00Z' },
        { receivedAt: 0 },
        '/batch/2',
      ),
    ).toEqual({
      ok: false,
      problems: [
        { path: '/batch/2/timestamp', reason: '"yesterday" is not an ISO-8601 date-time with a time zone' },
        { path: '/batch/2/sentAt', reason: '"2026-13-01T00:00:00Z" is not a real calendar date and time' },
      ],
    });
  });

  const ms = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  it('property: the corrected time does not depend on the client clock offset', () => {
    fc.assert(
      fc.property(
        ms,
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.integer({ min: -1e10, max: 1e10 }),
        (sentTrue, queued, offset) => {
          const happened = sentTrue - queued;
          const result = normaliseTimestamps(
            { originalTimestamp: iso(happened + offset), sentAt: iso(sentTrue + offset) },
            { receivedAt: sentTrue },
          );
          expect(result).toMatchObject({ ok: true, times: { timestamp: happened, clockSkewMs: offset } });
        },
      ),
    );
  });

  it('property: correction preserves the gap between two events of one request', () => {
    fc.assert(
      fc.property(ms, ms, ms, ms, (a, b, sentAt, receivedAt) => {
        expect(correctClockSkew(a, sentAt, receivedAt) - correctClockSkew(b, sentAt, receivedAt)).toBe(a - b);
      }),
    );
  });
});
