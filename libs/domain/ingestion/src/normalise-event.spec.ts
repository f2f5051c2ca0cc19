import { compileChannelRules } from './channel-rules';
import { normaliseSegmentEvent } from './normalise-event';
import type { SegmentEvent } from './segment-event';

const pageView: SegmentEvent = {
  type: 'page',
  anonymousId: 'a1',
  timestamp: '2026-03-01T10:00:00.000Z',
  sentAt: '2026-03-01T10:00:02.000Z',
  context: { page: { url: 'https://shop.example/?utm_source=newsletter&utm_medium=email', referrer: '' } },
};

describe('normaliseSegmentEvent', () => {
  it('sets receivedAt, corrects the timestamp, keeps the client time, attaches touch and channel', () => {
    const result = normaliseSegmentEvent(pageView, { receivedAt: Date.parse('2026-03-01T09:00:03Z') });
    expect(result).toMatchObject({
      ok: true,
      value: {
        event: {
          timestamp: '2026-03-01T09:00:01.000Z',
          originalTimestamp: '2026-03-01T10:00:00.000Z',
          receivedAt: '2026-03-01T09:00:03.000Z',
        },
        touch: { source: 'newsletter', medium: 'email' },
        channel: { channel: 'Email' },
      },
    });
  });

  it("uses the tenant's channel rules when given", () => {
    const compiled = compileChannelRules([
      { channel: 'Newsletter', when: { field: 'source', oneOf: ['newsletter'] } },
    ]);
    if (!compiled.ok) throw new Error('rules should compile');
    const result = normaliseSegmentEvent(pageView, {
      receivedAt: Date.now(),
      classifyChannel: compiled.classify,
    });
    expect(result.ok && result.value.channel).toEqual({ channel: 'Newsletter', ruleIndex: 0 });
  });

  it('reports a bad timestamp under the given path', () => {
    const result = normaliseSegmentEvent(
      { ...pageView, sentAt: 'later' },
      { receivedAt: 0, path: '/batch/4' },
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: '/batch/4/sentAt', reason: '"later" is not an ISO-8601 date-time with a time zone' },
      ],
    });
  });
});
