import {
  compileChannelRules,
  defaultChannel,
  extractMarketingTouch,
  hashCustomerEmail,
} from '@sextant/domain/ingestion';
import {
  consentedUses,
  consentOf,
  NO_CONSENT_REQUIRED,
  prepareEvent,
  touchOf,
  truncateIp,
  withoutNul,
  type TrackingPolicy,
} from './tracking-event';

const tenantId = '3f2c8a4e-5b1d-4c7e-9a6f-0e8d7c6b5a49';
const policy: TrackingPolicy = {
  classifyChannel: defaultChannel,
  ownHosts: [],
  maxEventAgeDays: null,
  consentRequired: NO_CONSENT_REQUIRED,
};
const receivedAt = Date.parse('2026-03-01T12:00:00.000Z');
const context = (overrides: Partial<TrackingPolicy> = {}) => ({
  tenantId,
  receivedAt,
  policy: { ...policy, ...overrides },
  path: '/batch/4',
  newMessageId: () => 'generated-id',
});

describe('prepareEvent', () => {
  it('corrects clock skew: timestamp = receivedAt - (sentAt - originalTimestamp)', () => {
    const prepared = prepareEvent(
      {
        type: 'track',
        event: 'Signed Up',
        messageId: 'm1',
        userId: 'u1',
        // The device clock is 2 h fast; the event happened 30 s before it was sent.
        timestamp: '2026-03-01T13:59:30.000Z',
        sentAt: '2026-03-01T14:00:00.000Z',
      },
      context(),
    );
    expect(prepared).toMatchObject({
      ok: true,
      event: {
        messageId: 'm1',
        payload: {
          timestamp: '2026-03-01T11:59:30.000Z',
          originalTimestamp: '2026-03-01T13:59:30.000Z',
          sentAt: '2026-03-01T14:00:00.000Z',
          receivedAt: '2026-03-01T12:00:00.000Z',
          futureTimestamp: false,
          event: 'Signed Up',
        },
      },
    });
  });

  it('flags an event whose corrected time is far in the future and gives a missing messageId one', () => {
    const prepared = prepareEvent(
      { type: 'page', anonymousId: 'a', timestamp: '2026-03-02T12:00:00.000Z' },
      context(),
    );
    expect(prepared).toMatchObject({
      ok: true,
      event: { messageId: 'generated-id', payload: { futureTimestamp: true } },
    });
  });

  it("rejects events older than the tenant's maxEventAgeDays, naming the field", () => {
    const old = { type: 'track' as const, event: 'x', userId: 'u', timestamp: '2026-01-01T12:00:00.000Z' };
    expect(prepareEvent(old, context({ maxEventAgeDays: 30 }))).toEqual({
      ok: false,
      problems: [
        {
          path: '/batch/4/timestamp',
          reason:
            'is 59 days old; this tenant accepts events up to 30 days old (tracking settings maxEventAgeDays)',
        },
      ],
    });
    expect(prepareEvent(old, context({ maxEventAgeDays: 60 })).ok).toBe(true);
  });

  it('refuses a skew correction that lands outside the years 1970-9999 (it could not be published)', () => {
    const prepared = prepareEvent(
      {
        type: 'track',
        event: 'x',
        userId: 'u',
        timestamp: '9999-01-01T00:00:00Z',
        sentAt: '1970-01-01T00:00:00Z',
      },
      context(),
    );
    expect(prepared).toMatchObject({ ok: false, problems: [{ path: '/batch/4/timestamp' }] });
  });

  it('refuses events holding a NUL character (jsonb cannot store it)', () => {
    const prepared = prepareEvent(
      { type: 'track', event: 'x', userId: 'u', properties: { note: 'a\u0000b' } },
      context(),
    );
    expect(prepared).toMatchObject({ ok: false, problems: [{ path: '/batch/4' }] });
  });

  it('refuses ids longer than the event schema allows', () => {
    const prepared = prepareEvent({ type: 'track', event: 'x', userId: 'u'.repeat(256) }, context());
    expect(prepared).toMatchObject({ ok: false, problems: [{ path: '/batch/4/userId' }] });
  });

  it("classifies the touch with the tenant's rules; identify carries no touch and hashes the email", () => {
    const rules = compileChannelRules([
      { channel: 'Partners', when: { field: 'source', oneOf: ['partnerx'] } },
    ]);
    if (!rules.ok) throw new Error('rules');
    const track = prepareEvent(
      {
        type: 'track',
        event: 'x',
        anonymousId: 'a',
        context: { campaign: { source: 'PartnerX', medium: 'cpc' } },
      },
      context({ classifyChannel: rules.classify }),
    );
    expect(track).toMatchObject({
      ok: true,
      event: { payload: { touch: { channel: 'Partners', source: 'partnerx', medium: 'cpc' } } },
    });
    const identify = prepareEvent(
      { type: 'identify', userId: 'u', traits: { email: ' Ada@Example.com ', name: 'Ada' } },
      context(),
    );
    const expectedHash = hashCustomerEmail('ada@example.com', tenantId);
    expect(identify).toMatchObject({
      ok: true,
      event: {
        emailHash: expectedHash,
        payload: { touch: null, traits: { email: expectedHash, name: 'Ada' } },
      },
    });
  });
});

describe('touchOf', () => {
  it('is null for a visit with no marketing signal, and carries the first click id otherwise', () => {
    const direct = extractMarketingTouch({ context: { page: { url: 'https://shop.example/' } } });
    expect(touchOf(direct, defaultChannel(direct).channel)).toBeNull();
    const paid = extractMarketingTouch({ context: { page: { url: 'https://shop.example/?msclkid=m1' } } });
    expect(touchOf(paid, defaultChannel(paid).channel)).toEqual({
      channel: 'Paid Search',
      source: 'bing',
      medium: 'cpc',
      campaign: null,
      term: null,
      content: null,
      clickIdType: 'msclkid',
      clickId: 'm1',
      referrerHost: null,
    });
  });
});

describe('consentOf and truncateIp', () => {
  it("reads Segment's categoryPreferences or a plain list; null when absent", () => {
    expect(
      consentOf({ categoryPreferences: { Advertising: true, Analytics: false, Functional: true } }),
    ).toEqual(['Advertising', 'Functional']);
    expect(consentOf(['analytics'])).toEqual(['analytics']);
    expect(consentOf(undefined)).toBeNull();
  });

  it('keeps an IPv4 /24 and an IPv6 /48', () => {
    expect(truncateIp('198.51.100.23')).toBe('198.51.100.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(truncateIp('not an ip')).toBe('');
  });
});

describe('consent verdict and minimised identify', () => {
  const required = { attribution: ['advertising'], analytics: ['Analytics'] };
  const identify = (eventContext: Record<string, unknown>) =>
    prepareEvent(
      {
        type: 'identify',
        messageId: 'm-consent',
        userId: 'u1',
        timestamp: '2026-03-01T11:00:00.000Z',
        traits: { email: 'ada@example.com', phone: '+44 20 7946 0958' },
        context: eventContext,
      },
      context({ consentRequired: required }),
    );

  it('allows a use only when every required category is granted (case-insensitive)', () => {
    const required = { attribution: ['advertising'], analytics: ['analytics', 'functional'] };
    expect(consentedUses(['Advertising', 'Analytics'], required)).toEqual({
      attribution: true,
      analytics: false,
    });
    expect(consentedUses(['analytics', 'FUNCTIONAL'], required)).toEqual({
      attribution: false,
      analytics: true,
    });
    expect(consentedUses(null, required)).toEqual({ attribution: false, analytics: false });
    expect(consentedUses(null, NO_CONSENT_REQUIRED)).toEqual({ attribution: true, analytics: true });
  });

  it("carries the verdict from Segment's categoryPreferences on the accepted event", () => {
    const granted = identify({ consent: { categoryPreferences: { Advertising: true, Analytics: false } } });
    const silent = identify({});
    if (!granted.ok || !silent.ok) throw new Error('expected both accepted');
    expect(granted.event.payload.consent).toEqual(['Advertising']);
    expect(granted.event.payload.consentedUses).toEqual({ attribution: true, analytics: false });
    expect(silent.event.payload.consentedUses).toEqual({ attribution: false, analytics: false });
  });

  it('hashes the phone (digits and +, keyed by the tenant) and truncates the context ip', () => {
    const prepared = identify({ ip: '198.51.100.23' });
    if (!prepared.ok) throw new Error('expected accepted');
    // openssl: printf '+442079460958' | openssl dgst -sha256 -hmac <tenantId>
    expect((prepared.event.payload.traits as Record<string, unknown>).phone).toBe(
      '7403015da8ccd6d9ebf5dd469043e02c9a4c41b14dc862fb57d2566e764286a7',
    );
    expect((prepared.event.payload.context as Record<string, unknown>).ip).toBe('198.51.100.0');
    expect(JSON.stringify(prepared.event.payload)).not.toContain('7946');
  });
});

describe('withoutNul', () => {
  it('replaces NUL in strings and keys, deeply', () => {
    expect(withoutNul({ 'k\u0000': ['a\u0000', 1, { b: 'c\u0000' }] })).toEqual({
      'k\ufffd': ['a\ufffd', 1, { b: 'c\ufffd' }],
    });
  });
});
