/**
 * The marketing touch behind an event: UTM parameters (from `context.campaign` or the page URL), ad
 * click ids, and the referrer's host, classified (search, social, video, shopping, email). Source and
 * medium follow GA4's conventions so the default channel rules (channel-rules.ts) read like GA4's:
 * an auto-tagged Google Ads click (gclid) is `google / cpc`, a search-engine referral is
 * `<engine> / organic`, another site is `<host> / referral`, nothing at all is `(direct) / (none)`.
 */
import type { SegmentContext } from './segment-event';

export type SourceCategory = 'search' | 'social' | 'video' | 'shopping' | 'email';

/** Click-id query parameters, each with the ad platform that sets it and what it implies. */
export interface ClickIdDefinition {
  param: string;
  platform: string;
  /** Source and medium assumed when no UTM parameters say otherwise. */
  source: string;
  medium?: string;
}

export const CLICK_IDS: readonly ClickIdDefinition[] = [
  { param: 'gclid', platform: 'google_ads', source: 'google', medium: 'cpc' },
  { param: 'gbraid', platform: 'google_ads', source: 'google', medium: 'cpc' },
  { param: 'wbraid', platform: 'google_ads', source: 'google', medium: 'cpc' },
  { param: 'dclid', platform: 'google_display', source: 'dv360', medium: 'display' },
  { param: 'msclkid', platform: 'microsoft_ads', source: 'bing', medium: 'cpc' },
  // Facebook adds fbclid to every outbound link, organic posts included: it does not imply paid.
  { param: 'fbclid', platform: 'meta', source: 'facebook' },
  { param: 'ttclid', platform: 'tiktok_ads', source: 'tiktok', medium: 'cpc' },
  { param: 'li_fat_id', platform: 'linkedin_ads', source: 'linkedin', medium: 'cpc' },
  { param: 'twclid', platform: 'x_ads', source: 'twitter', medium: 'cpc' },
  { param: 'epik', platform: 'pinterest_ads', source: 'pinterest', medium: 'cpc' },
  { param: 'sccid', platform: 'snapchat_ads', source: 'snapchat', medium: 'cpc' },
  { param: 'yclid', platform: 'yandex_ads', source: 'yandex', medium: 'cpc' },
  { param: 'irclickid', platform: 'impact', source: 'impact', medium: 'affiliate' },
  { param: 'mc_cid', platform: 'mailchimp', source: 'mailchimp', medium: 'email' },
];

/**
 * Source names (a utm_source value, or a label of the referrer host: `l.facebook.com` -> `facebook`)
 * for each category. A short, maintained list in the spirit of GA4's internal ones.
 */
export const SOURCE_CATEGORIES: Readonly<Record<SourceCategory, readonly string[]>> = {
  search: [
    'google',
    'bing',
    'yahoo',
    'duckduckgo',
    'baidu',
    'yandex',
    'ecosia',
    'naver',
    'seznam',
    'ask',
    'aol',
    'qwant',
    'startpage',
    'brave',
    'sogou',
    'so',
    'daum',
  ],
  social: [
    'facebook',
    'fb',
    'instagram',
    'ig',
    'linkedin',
    'lnkd',
    'twitter',
    't',
    'x',
    'pinterest',
    'reddit',
    'tiktok',
    'snapchat',
    'threads',
    'whatsapp',
    'telegram',
    'vk',
    'weibo',
    'quora',
    'tumblr',
    'discord',
    'mastodon',
  ],
  video: ['youtube', 'youtu', 'vimeo', 'twitch', 'dailymotion', 'wistia'],
  shopping: [
    'amazon',
    'ebay',
    'etsy',
    'walmart',
    'aliexpress',
    'alibaba',
    'shopping',
    'idealo',
    'pricerunner',
    'shopzilla',
  ],
  email: ['email', 'e-mail', 'e_mail', 'e mail', 'mailchimp', 'klaviyo', 'sendgrid', 'newsletter'],
};

/** Webmail hosts: a referral from one of these is an email click. Checked before the lists above. */
export const WEBMAIL_HOSTS: readonly string[] = [
  'mail.google.com',
  'outlook.live.com',
  'outlook.office.com',
  'outlook.office365.com',
  'mail.yahoo.com',
  'mail.aol.com',
  'mail.proton.me',
  'mail.zoho.com',
  'webmail.gmx.net',
  'e.mail.ru',
];

const SHORT_LINK_HOSTS: Readonly<Record<string, string>> = {
  't.co': 'twitter',
  'lnkd.in': 'linkedin',
  'youtu.be': 'youtube',
  'pin.it': 'pinterest',
};

export interface MarketingTouch {
  source: string;
  medium: string;
  campaign?: string;
  term?: string;
  content?: string;
  /** utm_id */
  campaignId?: string;
  /** Click ids found, by parameter name. */
  clickIds: Record<string, string>;
  /** Platform of the first click id found (in CLICK_IDS order). */
  clickIdPlatform?: string;
  sourceCategory?: SourceCategory;
  referrerHost?: string;
  landingUrl?: string;
}

export interface TouchInput {
  context?: SegmentContext;
  /** Page events also carry `properties.url` / `properties.referrer`. */
  properties?: Record<string, unknown>;
}

export interface TouchOptions {
  /** The tenant's own hosts: a referrer on one of them (or a subdomain) is not a new touch. */
  ownHosts?: readonly string[];
}

export function extractMarketingTouch(input: TouchInput, options: TouchOptions = {}): MarketingTouch {
  const page = input.context?.page ?? {};
  const landingUrl = stringOr(page.url) ?? stringOr(input.properties?.url);
  const query = searchParams(landingUrl, stringOr(page.search) ?? stringOr(input.properties?.search));
  const campaign = input.context?.campaign ?? {};
  const utm = (key: string, campaignKey: string): string | undefined =>
    nonEmpty(stringOr(campaign[campaignKey])) ?? nonEmpty(query.get(`utm_${key}`) ?? undefined);

  const clickIds: Record<string, string> = {};
  let clickDefinition: ClickIdDefinition | undefined;
  for (const definition of CLICK_IDS) {
    const value = nonEmpty(query.get(definition.param) ?? undefined);
    if (value === undefined) continue;
    clickIds[definition.param] = value;
    clickDefinition ??= definition;
  }

  const referrerUrl =
    stringOr(page.referrer) ?? stringOr(input.properties?.referrer) ?? stringOr(input.context?.referrer?.url);
  const referrerHost = hostOf(referrerUrl);
  const external =
    referrerHost !== undefined &&
    !(options.ownHosts ?? []).some((own) => isSameOrSubdomain(referrerHost, own));

  let source = utm('source', 'source');
  let medium = utm('medium', 'medium');
  if (source === undefined && medium === undefined && clickDefinition) {
    source = clickDefinition.source;
    medium = clickDefinition.medium;
  }
  if (source === undefined && medium === undefined && external) {
    const category = categoriseHost(referrerHost);
    source = sourceNameOfHost(referrerHost);
    medium = category === 'search' ? 'organic' : category === 'email' ? 'email' : 'referral';
  }
  if (source === undefined && medium === undefined) {
    source = '(direct)';
    medium = '(none)';
  }
  source = (source ?? '(not set)').toLowerCase();
  medium = (medium ?? (external ? 'referral' : '(not set)')).toLowerCase();

  return dropUndefined({
    source,
    medium,
    campaign: utm('campaign', 'name'),
    term: utm('term', 'term'),
    content: utm('content', 'content'),
    campaignId: utm('id', 'id'),
    clickIds,
    clickIdPlatform: clickDefinition?.platform,
    sourceCategory: categoriseSource(source) ?? (external ? categoriseHost(referrerHost) : undefined),
    referrerHost: external ? referrerHost : undefined,
    landingUrl,
  });
}

/** The category of a utm_source value or host name, by its labels: `m.facebook.com` is social. */
export function categoriseSource(source: string): SourceCategory | undefined {
  const lower = source.toLowerCase();
  if (WEBMAIL_HOSTS.includes(lower)) return 'email';
  const shortLink = SHORT_LINK_HOSTS[lower];
  const labels = shortLink ? [shortLink] : lower.includes('.') ? lower.split('.') : [lower];
  for (const category of Object.keys(SOURCE_CATEGORIES) as SourceCategory[]) {
    // Single-letter labels only count as a whole source ("t", "x"), not as part of a host.
    const names = SOURCE_CATEGORIES[category];
    if (names.includes(lower)) return category;
    if (labels.some((label) => label.length > 2 && names.includes(label))) return category;
  }
  return undefined;
}

function categoriseHost(host: string | undefined): SourceCategory | undefined {
  return host === undefined ? undefined : categoriseSource(host);
}

/** `www.google.co.uk` -> `google`, `l.facebook.com` -> `facebook`, `shop.example.org` -> the host. */
function sourceNameOfHost(host: string | undefined): string {
  if (host === undefined) return '(not set)';
  if (SHORT_LINK_HOSTS[host]) return SHORT_LINK_HOSTS[host];
  if (WEBMAIL_HOSTS.includes(host)) return host;
  const category = categoriseSource(host);
  if (category) {
    const names = SOURCE_CATEGORIES[category];
    const label = host.split('.').find((part) => part.length > 2 && names.includes(part));
    if (label) return label;
  }
  return host.replace(/^www\./, '');
}

export function isSameOrSubdomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase();
  return host === d || host.endsWith(`.${d}`);
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

function searchParams(url: string | undefined, search: string | undefined): URLSearchParams {
  if (url) {
    try {
      return new URL(url).searchParams;
    } catch {
      // fall through to `search`
    }
  }
  return new URLSearchParams(search ?? '');
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
