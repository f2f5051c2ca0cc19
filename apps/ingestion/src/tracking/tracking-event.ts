import type { EventPayloads } from '@sextant/contracts';
import {
  hashCustomerEmail,
  normaliseSegmentEvent,
  type ChannelClassifier,
  type MarketingTouch,
  type Problem,
  type SegmentEvent,
} from '@sextant/domain/ingestion';
import { createHmac } from 'node:crypto';

export type AcceptedEventPayload = EventPayloads['ingestion.event.accepted.v1'];
type Touch = NonNullable<AcceptedEventPayload['touch']>;

/** What a tenant's settings change about accepting an event. */
export interface TrackingPolicy {
  classifyChannel: ChannelClassifier;
  ownHosts: readonly string[];
  maxEventAgeDays: number | null;
  /** Consent categories an event must grant for each use (lower-cased); empty: none required. */
  consentRequired: ConsentRequirements;
}

export interface ConsentRequirements {
  attribution: readonly string[];
  analytics: readonly string[];
}

export const NO_CONSENT_REQUIRED: ConsentRequirements = { attribution: [], analytics: [] };

export interface PrepareContext {
  tenantId: string;
  receivedAt: number;
  policy: TrackingPolicy;
  /** Where the event sits in the request body, for problem paths (`/batch/3`, or `` for a single call). */
  path: string;
  /** Gives a messageId to an event that has none (Segment does the same). */
  newMessageId: () => string;
}

/** An event ready to deduplicate, link to a profile and publish. */
export interface PreparedEvent {
  messageId: string;
  type: SegmentEvent['type'];
  userId: string | null;
  anonymousId: string | null;
  /** `alias`: the earlier id that becomes the same profile as `userId`. */
  previousId: string | null;
  /** `identify`: the hashed `traits.email`. */
  emailHash: string | null;
  hasClickId: boolean;
  /** The payload of `ingestion.event.accepted.v1` without the ids assigned at acceptance. */
  payload: Omit<AcceptedEventPayload, 'tenantId' | 'eventId' | 'profileId' | 'sourceId'>;
}

const MAX_ID_LENGTH = 255;
const DAY_MS = 86_400_000;
const MIN_TIME = 0;
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Normalises a validated Segment event (skew-corrected timestamp, server receivedAt, marketing
 * touch and channel) and applies the tenant's policy. Problems here dead-letter the event like
 * validation problems do.
 */
export function prepareEvent(
  event: SegmentEvent,
  context: PrepareContext,
): { ok: true; event: PreparedEvent } | { ok: false; problems: Problem[] } {
  const { path, policy } = context;
  const problems: Problem[] = [];
  for (const field of ['messageId', 'userId', 'anonymousId'] as const) {
    const value = event[field];
    if (typeof value === 'string' && value.length > MAX_ID_LENGTH)
      problems.push({
        path: `${path}/${field}`,
        reason: `is ${value.length} characters; the limit is ${MAX_ID_LENGTH}`,
      });
  }
  if (containsNul(event))
    problems.push({ path, reason: 'contains a NUL character (\\u0000), which PostgreSQL cannot store' });
  const name = eventName(event);
  if (name !== null && name.length > MAX_ID_LENGTH)
    problems.push({
      path: `${path}/name`,
      reason: `is ${name.length} characters; the limit is ${MAX_ID_LENGTH}`,
    });
  const normalised = normaliseSegmentEvent(event, {
    receivedAt: context.receivedAt,
    ownHosts: policy.ownHosts,
    classifyChannel: policy.classifyChannel,
    path,
  });
  if (!normalised.ok) return { ok: false, problems: [...problems, ...normalised.problems] };
  const { times, touch, channel } = normalised.value;
  if (!(times.timestamp >= MIN_TIME && times.timestamp <= MAX_TIME))
    problems.push({
      path: `${path}/timestamp`,
      reason:
        'after clock-skew correction (receivedAt - (sentAt - timestamp)) it falls outside the years 1970-9999',
    });
  if (policy.maxEventAgeDays !== null) {
    const ageDays = (times.receivedAt - times.timestamp) / DAY_MS;
    if (ageDays > policy.maxEventAgeDays)
      problems.push({
        path: `${path}/timestamp`,
        reason: `is ${Math.floor(ageDays)} days old; this tenant accepts events up to ${policy.maxEventAgeDays} days old (tracking settings maxEventAgeDays)`,
      });
  }
  if (problems.length > 0) return { ok: false, problems };

  const salt = context.tenantId;
  const traits =
    (event.type === 'identify' || event.type === 'group') && event.traits
      ? minimiseTraits(event.traits, salt)
      : {};
  const email = event.type === 'identify' ? event.traits?.email : undefined;
  const messageId = event.messageId ?? context.newMessageId();
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const consent = consentOf(event.context?.consent);
  return {
    ok: true,
    event: {
      messageId,
      type: event.type,
      userId: event.userId ?? null,
      anonymousId: event.anonymousId ?? null,
      previousId: event.type === 'alias' ? event.previousId : null,
      emailHash: typeof email === 'string' && email.trim() !== '' ? hashCustomerEmail(email, salt) : null,
      hasClickId: Object.keys(touch.clickIds).length > 0,
      payload: {
        messageId,
        type: event.type,
        event: name,
        anonymousId: event.anonymousId ?? null,
        userId: event.userId ?? null,
        timestamp: new Date(times.timestamp).toISOString(),
        originalTimestamp: iso(times.originalTimestamp),
        sentAt: iso(times.sentAt),
        receivedAt: new Date(times.receivedAt).toISOString(),
        futureTimestamp: times.inFuture,
        touch: isTouchEvent(event) ? touchOf(touch, channel.channel) : null,
        consent,
        consentedUses: consentedUses(consent, policy.consentRequired),
        properties: ('properties' in event && event.properties) || {},
        traits,
        context: minimiseContext(event.context ?? {}, salt),
      },
    },
  };
}

function eventName(event: SegmentEvent): string | null {
  if (event.type === 'track') return event.event;
  if (event.type === 'page' || event.type === 'screen') return event.name ?? null;
  return null;
}

function isTouchEvent(event: SegmentEvent): boolean {
  return event.type === 'track' || event.type === 'page' || event.type === 'screen';
}

/**
 * The touch an event carries, or null when it carries no marketing signal (no UTM source or
 * medium, no click id, no outside referrer): a page view inside a visit is not a new touch.
 */
export function touchOf(touch: MarketingTouch, channel: string): Touch | null {
  const clickId = Object.entries(touch.clickIds)[0];
  const signal = clickId !== undefined || touch.referrerHost !== undefined || touch.source !== '(direct)';
  if (!signal) return null;
  const cut = (value: string | undefined, max: number) => (value === undefined ? null : value.slice(0, max));
  return {
    channel: channel.slice(0, 64),
    source: cut(touch.source, 200),
    medium: cut(touch.medium, 200),
    campaign: cut(touch.campaign, 200),
    term: cut(touch.term, 200),
    content: cut(touch.content, 200),
    clickIdType: clickId ? clickId[0].slice(0, 32) : null,
    clickId: clickId ? clickId[1].slice(0, 512) : null,
    referrerHost: cut(touch.referrerHost, 255),
  };
}

/**
 * `context.consent` as Segment's consent management sends it (`categoryPreferences`: category ->
 * granted) or as a plain list of granted categories; null when the event says nothing.
 */
export function consentOf(consent: unknown): string[] | null {
  if (Array.isArray(consent))
    return consent.filter((c): c is string => typeof c === 'string').map((c) => c.slice(0, 64));
  if (typeof consent !== 'object' || consent === null) return null;
  const preferences = (consent as { categoryPreferences?: unknown }).categoryPreferences;
  if (typeof preferences !== 'object' || preferences === null) return null;
  return Object.entries(preferences)
    .filter(([, granted]) => granted === true)
    .map(([category]) => category.slice(0, 64));
}

/**
 * Which uses the granted categories allow: every category the tenant requires for a use must be
 * granted (case-insensitively). An event that says nothing grants nothing, so it passes only where
 * nothing is required.
 */
export function consentedUses(
  granted: string[] | null,
  required: ConsentRequirements,
): { attribution: boolean; analytics: boolean } {
  const have = new Set((granted ?? []).map((c) => c.toLowerCase()));
  const allows = (categories: readonly string[]) => categories.every((c) => have.has(c.toLowerCase()));
  return { attribution: allows(required.attribution), analytics: allows(required.analytics) };
}

/** Emails and phone numbers become keyed hashes (the tenant id is the key, as for orders). */
export function minimiseTraits(traits: Record<string, unknown>, salt: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...traits };
  if (typeof out.email === 'string') out.email = hashCustomerEmail(out.email, salt);
  if (typeof out.phone === 'string')
    out.phone = createHmac('sha256', salt)
      .update(out.phone.replace(/[^0-9+]/g, ''), 'utf8')
      .digest('hex');
  return out;
}

/** The context with the IP truncated (IPv4 /24, IPv6 /48) and traits minimised. */
export function minimiseContext(context: Record<string, unknown>, salt: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...context };
  if (typeof out.ip === 'string') out.ip = truncateIp(out.ip);
  if (typeof out.traits === 'object' && out.traits !== null && !Array.isArray(out.traits))
    out.traits = minimiseTraits(out.traits as Record<string, unknown>, salt);
  return out;
}

export function truncateIp(ip: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.replace(/\.\d{1,3}$/, '.0');
  if (ip.includes(':')) {
    const groups = expandIpv6(ip);
    return groups ? `${groups.slice(0, 3).join(':')}::` : '';
  }
  return '';
}

function expandIpv6(ip: string): string[] | undefined {
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (tail === undefined && left.length !== 8) return undefined;
  const missing = 8 - left.length - right.length;
  if (missing < 0) return undefined;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) =>
    g.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}

/** True when any string (or key) inside holds U+0000, which PostgreSQL's jsonb refuses. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner));
  return false;
}

/** The value with every U+0000 replaced by U+FFFD, so a dead letter can keep what it can. */
export function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\ufffd');
  if (Array.isArray(value)) return value.map(withoutNul);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key.replaceAll('\u0000', '\ufffd'), withoutNul(inner)]),
    );
  return value;
}
