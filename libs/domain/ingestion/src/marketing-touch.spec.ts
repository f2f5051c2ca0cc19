import {
  compileChannelRules,
  DEFAULT_CHANNEL_RULES,
  defaultChannel,
  type ChannelRule,
} from './channel-rules';
import { extractMarketingTouch, type TouchInput } from './marketing-touch';

const page = (url: string, referrer = ''): TouchInput => ({ context: { page: { url, referrer } } });
const channelOf = (input: TouchInput) =>
  defaultChannel(extractMarketingTouch(input, { ownHosts: ['shop.example'] })).channel;

describe('extractMarketingTouch', () => {
  it('reads UTM parameters and click ids from the landing URL', () => {
    const touch = extractMarketingTouch(
      page(
        'https://shop.example/p?utm_source=Google&utm_medium=CPC&utm_campaign=spring&utm_term=shoes&utm_content=ad1&utm_id=42&gclid=abc&fbclid=zzz',
      ),
    );
    expect(touch).toEqual({
      source: 'google',
      medium: 'cpc',
      campaign: 'spring',
      term: 'shoes',
      content: 'ad1',
      campaignId: '42',
      clickIds: { gclid: 'abc', fbclid: 'zzz' },
      clickIdPlatform: 'google_ads',
      sourceCategory: 'search',
      landingUrl:
        'https://shop.example/p?utm_source=Google&utm_medium=CPC&utm_campaign=spring&utm_term=shoes&utm_content=ad1&utm_id=42&gclid=abc&fbclid=zzz',
    });
  });

  it('prefers context.campaign (what analytics.js parsed) to the URL', () => {
    const touch = extractMarketingTouch({
      context: {
        campaign: { name: 'TPS Innovation Newsletter', source: 'Newsletter', medium: 'email' },
        page: { url: 'https://shop.example/?utm_source=x' },
      },
    });
    expect(touch).toMatchObject({
      source: 'newsletter',
      medium: 'email',
      campaign: 'TPS Innovation Newsletter',
      sourceCategory: 'email',
    });
  });

  it('classifies referrers: search engines organic, webmail email, own hosts ignored', () => {
    expect(extractMarketingTouch(page('https://shop.example/', 'https://www.google.co.uk/'))).toMatchObject({
      source: 'google',
      medium: 'organic',
      sourceCategory: 'search',
      referrerHost: 'www.google.co.uk',
    });
    expect(
      extractMarketingTouch(page('https://shop.example/', 'https://mail.google.com/mail/u/0/')),
    ).toMatchObject({
      medium: 'email',
      sourceCategory: 'email',
    });
    expect(
      extractMarketingTouch(page('https://shop.example/', 'https://l.facebook.com/l.php')),
    ).toMatchObject({
      source: 'facebook',
      medium: 'referral',
      sourceCategory: 'social',
    });
    expect(
      extractMarketingTouch(page('https://shop.example/b', 'https://shop.example/a'), {
        ownHosts: ['shop.example'],
      }),
    ).toEqual({ source: '(direct)', medium: '(none)', clickIds: {}, landingUrl: 'https://shop.example/b' });
  });
});

describe('default channel rules (GA4 default channel group)', () => {
  it.each([
    ['https://shop.example/', '', 'Direct'],
    ['https://shop.example/?gclid=abc', '', 'Paid Search'],
    ['https://shop.example/?msclkid=abc', '', 'Paid Search'],
    [
      'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=cross-network-pmax',
      '',
      'Cross-network',
    ],
    [
      'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=shopping-spring',
      '',
      'Paid Shopping',
    ],
    ['https://shop.example/?utm_source=facebook&utm_medium=paid_social', '', 'Paid Social'],
    ['https://shop.example/?ttclid=1', '', 'Paid Social'],
    ['https://shop.example/?utm_source=youtube&utm_medium=cpv', '', 'Paid Video'],
    ['https://shop.example/?utm_source=gdn&utm_medium=banner', '', 'Display'],
    ['https://shop.example/?utm_source=newsite&utm_medium=ppc', '', 'Paid Other'],
    ['https://shop.example/', 'https://www.amazon.com/', 'Organic Shopping'],
    ['https://shop.example/?fbclid=abc', '', 'Organic Social'],
    ['https://shop.example/', 'https://t.co/xyz', 'Organic Social'],
    ['https://shop.example/', 'https://www.youtube.com/watch', 'Organic Video'],
    ['https://shop.example/', 'https://duckduckgo.com/', 'Organic Search'],
    ['https://shop.example/', 'https://blog.other.example/post', 'Referral'],
    ['https://shop.example/?utm_source=newsletter&utm_medium=email', '', 'Email'],
    ['https://shop.example/', 'https://outlook.live.com/mail/0/', 'Email'],
    ['https://shop.example/?utm_source=partner&utm_medium=affiliate', '', 'Affiliates'],
    ['https://shop.example/?irclickid=abc', '', 'Affiliates'],
    ['https://shop.example/?utm_source=spotify&utm_medium=audio', '', 'Audio'],
    ['https://shop.example/?utm_source=sms&utm_medium=text', '', 'SMS'],
    ['https://shop.example/?utm_source=app&utm_medium=web-push', '', 'Mobile Push Notifications'],
    ['https://shop.example/?utm_source=x1&utm_medium=weird', '', 'Unassigned'],
  ])('%s (referrer %s) -> %s', (url, referrer, channel) => {
    expect(channelOf(page(url, referrer))).toBe(channel);
  });

  it('the default rules are valid data (JSON round trip compiles)', () => {
    expect(compileChannelRules(JSON.parse(JSON.stringify(DEFAULT_CHANNEL_RULES))).ok).toBe(true);
  });
});

describe('compileChannelRules (tenant overrides)', () => {
  it('applies a tenant rule placed first, falling back to the tenant default', () => {
    const rules: ChannelRule[] = [
      { channel: 'Influencers', when: { field: 'campaign', matches: '^inf-' } },
      ...DEFAULT_CHANNEL_RULES,
    ];
    const compiled = compileChannelRules(rules, 'Other');
    if (!compiled.ok) throw new Error('rules should compile');
    const touch = extractMarketingTouch(
      page('https://shop.example/?utm_source=instagram&utm_medium=cpc&utm_campaign=INF-anna'),
    );
    expect(compiled.classify(touch)).toEqual({ channel: 'Influencers', ruleIndex: 0 });
    expect(compiled.classify({ source: 'x', medium: 'y', clickIds: {} })).toEqual({
      channel: 'Other',
      ruleIndex: -1,
    });
  });

  it('names the rule and field of every mistake', () => {
    expect(
      compileChannelRules([
        { channel: '', when: { field: 'source', oneOf: ['a'] } },
        { channel: 'A', when: { all: [{ field: 'medium', matches: '(' }] } },
        { channel: 'B', when: { field: 'country', oneOf: ['fr'] } },
        { channel: 'C', when: { any: [] } },
        { channel: 'D', when: { field: 'source' } },
      ]),
    ).toEqual({
      ok: false,
      problems: [
        { path: '/0/channel', reason: 'must be a non-empty string' },
        { path: '/1/when/all/0/matches', reason: expect.stringMatching(/^invalid regular expression/) },
        {
          path: '/2/when/field',
          reason: 'must be one of source, medium, campaign, sourceCategory, clickIdPlatform, referrerHost',
        },
        { path: '/3/when/any', reason: 'must be a non-empty array of conditions' },
        {
          path: '/4/when',
          reason: 'needs one of all, any, not, or field with oneOf, matches, contains, endsWith, present',
        },
      ],
    });
    expect(compileChannelRules({})).toEqual({
      ok: false,
      problems: [{ path: '', reason: 'rules must be an array, got an object' }],
    });
  });
});
