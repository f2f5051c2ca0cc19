// Request shapes and measurement helpers shared by the reporting benchmark and the load profile.
import type { SignedUpOwner } from '@sextant/testing';
import { openLoop } from '../open-loop';
import { percentile } from '../stats';

const DAY_MS = 86_400_000;
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const round = (x: number, digits = 1) => +x.toFixed(digits);

/** The dashboard requests: overview and channel table x 30/365 days x two models. */
export function dashboardPaths(yesterday: number): string[] {
  const periods = [30, 365].map(
    (days) => `from=${dayOf(yesterday - (days - 1) * DAY_MS)}&to=${dayOf(yesterday)}`,
  );
  return ['overview', 'channels'].flatMap((view) =>
    periods.flatMap((period) =>
      ['last_touch', 'linear'].map((model) => `/api/v1/reporting/${view}?${period}&model=${model}`),
    ),
  );
}

export interface Latency {
  achievedRate: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

/** Open-loop load at `rate` over every path and every tenant's token (see openLoop). */
export async function fixedRate(
  base: string,
  paths: string[],
  owners: SignedUpOwner[],
  duration: number,
  rate: number,
) {
  const { achievedRate, latencies, errors } = await openLoop(
    base,
    (i) => ({ path: paths[i % paths.length], headers: owners[i % owners.length].headers }),
    duration,
    rate,
  );
  return {
    achievedRate: round(achievedRate),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    errors,
  } satisfies Latency;
}

/** A tracking event with a touch (UTM in the page URL) for one of the tenant's campaigns. */
export function trackEvent(messageId: string, n: number, campaign: string) {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId,
    anonymousId: `anon-${n % 5000}`,
    timestamp: new Date().toISOString(),
    properties: { sku: `SKU-${n % 300}`, price: 19.99, currency: 'EUR' },
    context: {
      page: {
        url: `https://shop.example/p/${n % 300}?utm_source=google&utm_medium=cpc&utm_campaign=${campaign}&gclid=Cj0K${n}`,
        referrer: 'https://www.google.com/',
      },
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120',
      ip: '203.0.113.9',
    },
  };
}

/** A reporting replica's dashboard cache lookups so far by outcome (hit, stale_hit, miss, uncached), from its /metrics. */
export function readCacheLookups(metrics: string): Record<string, number> {
  return Object.fromEntries(
    [...metrics.matchAll(/^reporting_read_cache_lookups_total\{[^}]*outcome="(\w+)"[^}]*\} (\S+)$/gm)].map(
      ([, outcome, count]) => [outcome, Number(count)],
    ),
  );
}
