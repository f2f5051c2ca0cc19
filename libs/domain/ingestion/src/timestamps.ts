/**
 * Segment's four timestamps (https://segment.com/docs/connections/spec/common/#timestamps):
 * `originalTimestamp` (client clock when the call was made, or the `timestamp` a server library passed),
 * `sentAt` (client clock when the request left), `receivedAt` (our clock on arrival) and `timestamp`,
 * corrected for the client's clock skew: `receivedAt - (sentAt - originalTimestamp)`.
 *
 * When a field is missing:
 * - no `originalTimestamp` and no `timestamp`: the event happened now, `timestamp = receivedAt`
 *   (Segment: "If the event just happened, leave it out and we'll use the server's time");
 * - a client time but no `sentAt`: no skew can be measured, `timestamp = originalTimestamp` (how
 *   historical imports through the HTTP API keep their own times);
 * - `sentAt` without a client time: `sentAt` is ignored, `timestamp = receivedAt`.
 */
import { parseIsoDateTime } from './iso-time';
import type { Problem } from './problems';

/** Events more than this far after `receivedAt` (after correction) are flagged as in the future. */
export const DEFAULT_FUTURE_TOLERANCE_MS = 10 * 60 * 1000;

export interface EventTimes {
  timestamp?: string;
  originalTimestamp?: string;
  sentAt?: string;
}

export interface NormalisedTimes {
  /** When the event happened, corrected for clock skew (ms since the epoch). */
  timestamp: number;
  originalTimestamp?: number;
  sentAt?: number;
  receivedAt: number;
  /** `sentAt - receivedAt`: how far the client clock ran ahead (negative: behind); 0 when unknown. */
  clockSkewMs: number;
  corrected: boolean;
  /** The corrected timestamp lies more than the tolerance after `receivedAt`. */
  inFuture: boolean;
}

export interface TimestampOptions {
  receivedAt: number;
  futureToleranceMs?: number;
}

export type TimestampNormalisation =
  { ok: true; times: NormalisedTimes } | { ok: false; problems: Problem[] };

/** The corrected event time: `receivedAt - (sentAt - originalTimestamp)`, all in milliseconds. */
export function correctClockSkew(originalTimestamp: number, sentAt: number, receivedAt: number): number {
  return receivedAt - (sentAt - originalTimestamp);
}

export function normaliseTimestamps(
  event: EventTimes,
  options: TimestampOptions,
  path = '',
): TimestampNormalisation {
  const problems: Problem[] = [];
  const { receivedAt } = options;
  if (!Number.isFinite(receivedAt)) {
    return {
      ok: false,
      problems: [{ path: `${path}/receivedAt`, reason: 'server receive time is not a number' }],
    };
  }
  const read = (field: keyof EventTimes): number | undefined => {
    if (event[field] === undefined) return undefined;
    const parsed = parseIsoDateTime(event[field]);
    if (parsed.ok) return parsed.ms;
    problems.push({ path: `${path}/${field}`, reason: parsed.reason });
    return undefined;
  };
  const clientTime = read('originalTimestamp') ?? read('timestamp');
  const sentAt = read('sentAt');
  if (problems.length > 0) return { ok: false, problems };

  let timestamp = receivedAt;
  let clockSkewMs = 0;
  const corrected = clientTime !== undefined && sentAt !== undefined;
  if (corrected) {
    timestamp = correctClockSkew(clientTime, sentAt, receivedAt);
    clockSkewMs = sentAt - receivedAt;
  } else if (clientTime !== undefined) {
    timestamp = clientTime;
  }
  const tolerance = options.futureToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  return {
    ok: true,
    times: {
      timestamp,
      originalTimestamp: clientTime,
      sentAt,
      receivedAt,
      clockSkewMs,
      corrected,
      inFuture: timestamp - receivedAt > tolerance,
    },
  };
}
