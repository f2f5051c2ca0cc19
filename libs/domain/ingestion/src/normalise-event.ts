/**
 * One accepted Segment event made ready to store and publish: server `receivedAt`, skew-corrected
 * `timestamp` (both ISO strings, as Segment writes them), the client's time kept as
 * `originalTimestamp`, and the marketing touch with its channel.
 */
import { defaultChannel, type ChannelClassification, type ChannelClassifier } from './channel-rules';
import { extractMarketingTouch, type MarketingTouch } from './marketing-touch';
import type { Problem } from './problems';
import type { SegmentEvent } from './segment-event';
import { normaliseTimestamps, type NormalisedTimes } from './timestamps';

export interface NormaliseEventOptions {
  receivedAt: number;
  futureToleranceMs?: number;
  /** The tenant's own hosts, so internal navigation is not a referral. */
  ownHosts?: readonly string[];
  /** The tenant's channel rules (`compileChannelRules`); the GA4-like defaults otherwise. */
  classifyChannel?: ChannelClassifier;
  /** Path prefix for problems, e.g. `/batch/3`. */
  path?: string;
}

export interface NormalisedEvent {
  event: SegmentEvent;
  times: NormalisedTimes;
  touch: MarketingTouch;
  channel: ChannelClassification;
}

export function normaliseSegmentEvent(
  event: SegmentEvent,
  options: NormaliseEventOptions,
): { ok: true; value: NormalisedEvent } | { ok: false; problems: Problem[] } {
  const timing = normaliseTimestamps(event, options, options.path ?? '');
  if (!timing.ok) return timing;
  const { times } = timing;
  const properties = 'properties' in event ? event.properties : undefined;
  const touch = extractMarketingTouch({ context: event.context, properties }, { ownHosts: options.ownHosts });
  const channel = (options.classifyChannel ?? defaultChannel)(touch);
  const normalised: SegmentEvent = {
    ...event,
    timestamp: new Date(times.timestamp).toISOString(),
    receivedAt: new Date(times.receivedAt).toISOString(),
  };
  if (times.originalTimestamp !== undefined) {
    normalised.originalTimestamp = new Date(times.originalTimestamp).toISOString();
  }
  return { ok: true, value: { event: normalised, times, touch, channel } };
}
