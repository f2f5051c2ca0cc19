import {
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_EVENT_BYTES,
  validateSegmentBatch,
  validateSegmentEvent,
} from './segment-event';

/** Segment's own example of the common fields (spec/common), a track call. */
const SEGMENT_COMMON_EXAMPLE = {
  anonymousId: '507f191e810c19729de860ea',
  context: {
    campaign: {
      name: 'TPS Innovation Newsletter',
      source: 'Newsletter',
      medium: 'email',
      term: 'tps reports',
      content: 'image link',
    },
    ip: '8.8.8.8',
    library: { name: 'analytics.js', version: '2.11.1' },
    locale: 'en-US',
    page: {
      path: '/academy/',
      referrer: '',
      search: '',
      title: 'Analytics Academy',
      url: 'https://segment.com/academy/',
    },
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46',
  },
  integrations: { All: true, Mixpanel: false },
  messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
  receivedAt: '2015-12-10T04:08:31.909Z',
  sentAt: '2015-12-10T04:08:31.581Z',
  timestamp: '2015-12-10T04:08:31.905Z',
  type: 'track',
  event: 'Course Clicked',
  userId: '97980cfea0067',
  version: 2,
};

describe('validateSegmentEvent', () => {
  it("accepts Segment's documented example and drops the client's receivedAt", () => {
    const result = validateSegmentEvent(SEGMENT_COMMON_EXAMPLE);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event).not.toHaveProperty('receivedAt');
  });

  it('takes the type from the endpoint, and refuses a different one', () => {
    const body = { userId: '019mr8mf4r', traits: { email: 'pgibbons@example.com' } };
    expect(validateSegmentEvent(body, { endpointType: 'identify' })).toMatchObject({
      ok: true,
      event: { type: 'identify' },
    });
    expect(
      validateSegmentEvent({ ...body, type: 'track', event: 'x' }, { endpointType: 'identify' }),
    ).toEqual({
      ok: false,
      problems: [{ path: '/type', reason: 'is "track" but this endpoint takes "identify" events' }],
    });
  });

  it.each([
    [{ type: 'track', event: 'Signed Up' }, '/userId', 'a userId or an anonymousId is required'],
    [
      { type: 'purchase', userId: 'u' },
      '/type',
      'unknown event type "purchase"; expected one of track, identify, page, screen, group, alias',
    ],
    [{ type: 'track', userId: 'u' }, '/event', 'is required for track calls and must be a non-empty string'],
    [{ type: 'track', userId: 'u', event: ' Padded ' }, '/event', 'must not start or end with whitespace'],
    [{ type: 'track', userId: 'u', event: 'x'.repeat(201) }, '/event', 'is 201 characters; the limit is 200'],
    [{ type: 'track', userId: 7, event: 'x' }, '/userId', 'must be a string, got a number'],
    [{ type: 'group', userId: 'u' }, '/groupId', 'is required for group calls'],
    [{ type: 'alias', userId: 'u' }, '/previousId', 'is required for alias calls'],
    [{ type: 'page', userId: 'u', properties: [] }, '/properties', 'must be an object, got an array'],
    [
      { type: 'page', userId: 'u', context: { page: { url: 5 } } },
      '/context/page/url',
      'must be a string, got a number',
    ],
    [
      { type: 'page', userId: 'u', context: { campaign: { source: true } } },
      '/context/campaign/source',
      'must be a string, got a boolean',
    ],
    [
      { type: 'page', userId: 'u', timestamp: '2015-2-02T00:30:08.276Z' },
      '/timestamp',
      '"2015-2-02T00:30:08.276Z" is not an ISO-8601 date-time with a time zone',
    ],
    [
      { type: 'page', userId: 'u', sentAt: '2015-02-30T00:00:00Z' },
      '/sentAt',
      '"2015-02-30T00:00:00Z" is not a real calendar date and time',
    ],
    [
      { type: 'page', userId: 'u', originalTimestamp: '2015-02-03T00:00:00' },
      '/originalTimestamp',
      '"2015-02-03T00:00:00" is not an ISO-8601 date-time with a time zone',
    ],
  ])('%j -> %s: %s', (event, path, reason) => {
    const result = validateSegmentEvent(event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual({ path, reason });
  });

  it('alias needs no anonymousId; screen and page take a name', () => {
    expect(validateSegmentEvent({ type: 'alias', previousId: 'anon-1', userId: 'u' }).ok).toBe(true);
    expect(validateSegmentEvent({ type: 'screen', anonymousId: 'a', name: 'Home' }).ok).toBe(true);
  });

  it('refuses an event over 32 KB', () => {
    const big = {
      type: 'track',
      userId: 'u',
      event: 'Big',
      properties: { blob: 'x'.repeat(MAX_EVENT_BYTES) },
    };
    const result = validateSegmentEvent(big);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems[0]).toMatchObject({
        path: '',
        reason: expect.stringMatching(/limit is 32768 \(32 KB\)/),
      });
  });
});

describe('validateSegmentBatch', () => {
  const good = {
    type: 'track',
    userId: '019mr8mf4r',
    event: 'Song Played',
    timestamp: '2012-12-02T00:30:12.984Z',
  };

  it('accepts good items, rejects bad ones with /batch/<i>/<field> paths, merges the batch context', () => {
    const result = validateSegmentBatch({
      batch: [
        good,
        { type: 'identify', anonymousId: 'a', context: { ip: '1.2.3.4' } },
        { type: 'track', event: 'No one' },
        { type: 'sale', userId: 'u' },
      ],
      context: { device: { type: 'phone' }, ip: '9.9.9.9' },
      sentAt: '2012-12-02T00:31:00.000Z',
    });
    expect(result.problems).toEqual([]);
    expect(result.accepted.map((a) => a.index)).toEqual([0, 1]);
    expect(result.accepted[1].event.context).toEqual({ device: { type: 'phone' }, ip: '1.2.3.4' });
    expect(result.accepted[0].event.sentAt).toBe('2012-12-02T00:31:00.000Z');
    expect(result.rejected).toEqual([
      { index: 2, problems: [{ path: '/batch/2/userId', reason: 'a userId or an anonymousId is required' }] },
      {
        index: 3,
        problems: [
          {
            path: '/batch/3/type',
            reason: 'unknown event type "sale"; expected one of track, identify, page, screen, group, alias',
          },
        ],
      },
    ]);
  });

  it('requires a type on every item', () => {
    const result = validateSegmentBatch({ batch: [{ userId: 'u', event: 'x' }] });
    expect(result.rejected[0].problems[0].path).toBe('/batch/0/type');
  });

  it('refuses the whole batch over 500 KB, over the event count, empty or not an array', () => {
    expect(validateSegmentBatch({ batch: [good] }, MAX_BATCH_BYTES + 1).problems).toEqual([
      { path: '', reason: `batch is ${MAX_BATCH_BYTES + 1} bytes; the limit is 512000 (500 KB)` },
    ]);
    const many = validateSegmentBatch({ batch: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({})) });
    expect(many.problems).toEqual([{ path: '/batch', reason: 'has 2501 events; the limit is 2500' }]);
    expect(many.accepted).toEqual([]);
    expect(validateSegmentBatch({ batch: [] }).problems[0].reason).toBe('must contain at least one event');
    expect(validateSegmentBatch({ batch: {} }).problems[0]).toEqual({
      path: '/batch',
      reason: 'must be an array of events, got an object',
    });
    expect(validateSegmentBatch([]).problems[0].path).toBe('');
  });

  it('refuses one item over 32 KB and keeps the rest', () => {
    const result = validateSegmentBatch({
      batch: [good, { ...good, properties: { blob: 'y'.repeat(MAX_EVENT_BYTES) } }],
    });
    expect(result.accepted).toHaveLength(1);
    expect(result.rejected[0].problems[0].path).toBe('/batch/1');
  });
});
