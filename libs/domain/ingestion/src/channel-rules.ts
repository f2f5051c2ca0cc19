/**
 * Channel grouping as data: an ordered list of rules, the first whose condition holds names the
 * channel. The default set follows GA4's default channel group, in GA4's evaluation order
 * (https://support.google.com/analytics/answer/9756891): Direct, Cross-network, Paid Shopping,
 * Paid Search, Paid Social, Paid Video, Display, Paid Other, Organic Shopping, Organic Social,
 * Organic Video, Organic Search, Referral, Email, Affiliates, Audio, SMS, Mobile Push Notifications;
 * anything else is Unassigned. A tenant replaces the list to override it (validate it first with
 * `compileChannelRules`). Comparisons ignore case, as GA4's do.
 */
import type { MarketingTouch } from './marketing-touch';
import { describeType, isPlainObject, type Problem } from './problems';

export const TOUCH_FIELDS = [
  'source',
  'medium',
  'campaign',
  'sourceCategory',
  'clickIdPlatform',
  'referrerHost',
] as const;
export type TouchField = (typeof TOUCH_FIELDS)[number];

export type ChannelCondition =
  | { all: ChannelCondition[] }
  | { any: ChannelCondition[] }
  | { not: ChannelCondition }
  | { field: TouchField; oneOf: string[] }
  | { field: TouchField; matches: string }
  | { field: TouchField; contains: string }
  | { field: TouchField; endsWith: string }
  | { field: TouchField; present: boolean };

export interface ChannelRule {
  channel: string;
  when: ChannelCondition;
}

export const UNASSIGNED_CHANNEL = 'Unassigned';

/** GA4: Medium matches regex ^(.*cp.*|ppc|retargeting|paid.*)$ */
const PAID_MEDIUM = '^(.*cp.*|ppc|retargeting|paid.*)$';
/** GA4: Campaign Name matches regex ^(.*(([^a-df-z]|^)shop|shopping).*)$ */
const SHOPPING_CAMPAIGN = '^(.*(([^a-df-z]|^)shop|shopping).*)$';
const EMAIL_NAMES = ['email', 'e-mail', 'e_mail', 'e mail'];

const paid: ChannelCondition = { field: 'medium', matches: PAID_MEDIUM };
const category = (name: string): ChannelCondition => ({ field: 'sourceCategory', oneOf: [name] });
const shoppingSource: ChannelCondition = {
  any: [category('shopping'), { field: 'campaign', matches: SHOPPING_CAMPAIGN }],
};

export const DEFAULT_CHANNEL_RULES: readonly ChannelRule[] = [
  {
    channel: 'Direct',
    when: {
      all: [
        { field: 'source', oneOf: ['(direct)'] },
        { field: 'medium', oneOf: ['(not set)', '(none)'] },
      ],
    },
  },
  { channel: 'Cross-network', when: { field: 'campaign', contains: 'cross-network' } },
  { channel: 'Paid Shopping', when: { all: [shoppingSource, paid] } },
  { channel: 'Paid Search', when: { all: [category('search'), paid] } },
  { channel: 'Paid Social', when: { all: [category('social'), paid] } },
  { channel: 'Paid Video', when: { all: [category('video'), paid] } },
  {
    channel: 'Display',
    when: { field: 'medium', oneOf: ['display', 'banner', 'expandable', 'interstitial', 'cpm'] },
  },
  { channel: 'Paid Other', when: paid },
  { channel: 'Organic Shopping', when: shoppingSource },
  {
    channel: 'Organic Social',
    when: {
      any: [
        category('social'),
        {
          field: 'medium',
          oneOf: ['social', 'social-network', 'social-media', 'sm', 'social network', 'social media'],
        },
      ],
    },
  },
  {
    channel: 'Organic Video',
    when: { any: [category('video'), { field: 'medium', matches: '^(.*video.*)$' }] },
  },
  { channel: 'Organic Search', when: { any: [category('search'), { field: 'medium', oneOf: ['organic'] }] } },
  { channel: 'Referral', when: { field: 'medium', oneOf: ['referral', 'app', 'link'] } },
  {
    channel: 'Email',
    when: {
      any: [
        { field: 'source', oneOf: EMAIL_NAMES },
        { field: 'medium', oneOf: EMAIL_NAMES },
        category('email'),
      ],
    },
  },
  { channel: 'Affiliates', when: { field: 'medium', oneOf: ['affiliate', 'affiliates'] } },
  { channel: 'Audio', when: { field: 'medium', oneOf: ['audio'] } },
  {
    channel: 'SMS',
    when: {
      any: [
        { field: 'source', oneOf: ['sms'] },
        { field: 'medium', oneOf: ['sms'] },
      ],
    },
  },
  {
    channel: 'Mobile Push Notifications',
    when: {
      any: [
        { field: 'medium', endsWith: 'push' },
        { field: 'medium', contains: 'mobile' },
        { field: 'medium', contains: 'notification' },
        { field: 'source', oneOf: ['firebase'] },
      ],
    },
  },
];

export interface ChannelClassification {
  channel: string;
  /** Index of the rule that matched; -1 for the fallback. */
  ruleIndex: number;
}

export type ChannelClassifier = (touch: MarketingTouch) => ChannelClassification;

type Predicate = (touch: MarketingTouch) => boolean;

/**
 * Checks a rule list (e.g. a tenant's override read from JSON) and compiles it into a classifier.
 * Problems name the rule and field, e.g. `/3/when/all/1/matches: invalid regular expression`.
 */
export function compileChannelRules(
  rules: unknown,
  fallback = UNASSIGNED_CHANNEL,
): { ok: true; classify: ChannelClassifier } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!Array.isArray(rules)) {
    return {
      ok: false,
      problems: [{ path: '', reason: `rules must be an array, got ${describeType(rules)}` }],
    };
  }
  const compiled = rules.map((rule, index): [string, Predicate] | undefined => {
    const path = `/${index}`;
    if (!isPlainObject(rule)) {
      problems.push({ path, reason: `rule must be an object, got ${describeType(rule)}` });
      return undefined;
    }
    if (typeof rule.channel !== 'string' || rule.channel.trim() === '') {
      problems.push({ path: `${path}/channel`, reason: 'must be a non-empty string' });
    }
    const predicate = compileCondition(rule.when, `${path}/when`, problems);
    return predicate && typeof rule.channel === 'string' ? [rule.channel, predicate] : undefined;
  });
  if (problems.length > 0) return { ok: false, problems };
  const table = compiled as [string, Predicate][];
  return {
    ok: true,
    classify: (touch) => {
      const ruleIndex = table.findIndex(([, predicate]) => predicate(touch));
      return ruleIndex === -1
        ? { channel: fallback, ruleIndex }
        : { channel: table[ruleIndex][0], ruleIndex };
    },
  };
}

const defaultClassifier = (() => {
  const compiled = compileChannelRules(DEFAULT_CHANNEL_RULES);
  if (!compiled.ok)
    throw new Error(`default channel rules are invalid: ${JSON.stringify(compiled.problems)}`);
  return compiled.classify;
})();

/** The channel of a touch under the default (GA4-like) rules. */
export function defaultChannel(touch: MarketingTouch): ChannelClassification {
  return defaultClassifier(touch);
}

function compileCondition(condition: unknown, path: string, problems: Problem[]): Predicate | undefined {
  if (!isPlainObject(condition)) {
    problems.push({ path, reason: `condition must be an object, got ${describeType(condition)}` });
    return undefined;
  }
  for (const combinator of ['all', 'any'] as const) {
    if (!(combinator in condition)) continue;
    const parts = condition[combinator];
    if (!Array.isArray(parts) || parts.length === 0) {
      problems.push({ path: `${path}/${combinator}`, reason: 'must be a non-empty array of conditions' });
      return undefined;
    }
    const predicates = parts.map((part, i) => compileCondition(part, `${path}/${combinator}/${i}`, problems));
    if (predicates.some((p) => p === undefined)) return undefined;
    const list = predicates as Predicate[];
    return combinator === 'all' ? (t) => list.every((p) => p(t)) : (t) => list.some((p) => p(t));
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not, `${path}/not`, problems);
    return inner && ((t) => !inner(t));
  }
  const field = condition.field;
  if (!TOUCH_FIELDS.includes(field as TouchField)) {
    problems.push({ path: `${path}/field`, reason: `must be one of ${TOUCH_FIELDS.join(', ')}` });
    return undefined;
  }
  const read = (t: MarketingTouch): string | undefined => {
    const value = t[field as TouchField];
    return value === undefined ? undefined : value.toLowerCase();
  };
  if ('oneOf' in condition) {
    const values = condition.oneOf;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      problems.push({ path: `${path}/oneOf`, reason: 'must be an array of strings' });
      return undefined;
    }
    const set = new Set(values.map((v) => v.toLowerCase()));
    return (t) => {
      const value = read(t);
      return value !== undefined && set.has(value);
    };
  }
  if ('matches' in condition) {
    let regex: RegExp;
    try {
      regex = new RegExp(String(condition.matches), 'i');
    } catch (error) {
      problems.push({
        path: `${path}/matches`,
        reason: `invalid regular expression: ${(error as Error).message}`,
      });
      return undefined;
    }
    if (typeof condition.matches !== 'string') {
      problems.push({ path: `${path}/matches`, reason: 'must be a string' });
      return undefined;
    }
    return (t) => {
      const value = read(t);
      return value !== undefined && regex.test(value);
    };
  }
  for (const op of ['contains', 'endsWith'] as const) {
    if (!(op in condition)) continue;
    const needle = condition[op];
    if (typeof needle !== 'string' || needle === '') {
      problems.push({ path: `${path}/${op}`, reason: 'must be a non-empty string' });
      return undefined;
    }
    const lower = needle.toLowerCase();
    return op === 'contains'
      ? (t) => read(t)?.includes(lower) ?? false
      : (t) => read(t)?.endsWith(lower) ?? false;
  }
  if ('present' in condition) {
    if (typeof condition.present !== 'boolean') {
      problems.push({ path: `${path}/present`, reason: 'must be true or false' });
      return undefined;
    }
    const wanted = condition.present;
    return (t) => (read(t) !== undefined) === wanted;
  }
  problems.push({
    path,
    reason: 'needs one of all, any, not, or field with oneOf, matches, contains, endsWith, present',
  });
  return undefined;
}
