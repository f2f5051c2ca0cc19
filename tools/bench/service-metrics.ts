// Reading a service's Prometheus text (its /metrics) in the benchmarks: where a request's time went
// inside each service, and how late each event loop ran.

export async function scrape(serviceUrl: string): Promise<string> {
  return fetch(`${serviceUrl}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
}

/** The first sample of `name` (any labels), or undefined. */
export function gauge(metrics: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : undefined;
}

export interface ServerDurations {
  count: number;
  /** Estimated from the histogram's buckets as PromQL's histogram_quantile does, in ms. */
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

/**
 * `http_server_request_duration_seconds` over the routes whose label matches `route`, summed across
 * methods and statuses: the time the service itself took (fastify's elapsed time per request).
 */
export function serverDurations(metrics: string, route: RegExp): ServerDurations | undefined {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  const series = /^http_server_request_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/gm;
  for (const [, kind, labels, value] of metrics.matchAll(series)) {
    const routeLabel = /route="([^"]*)"/.exec(labels)?.[1] ?? '';
    if (!route.test(routeLabel)) continue;
    if (kind === 'sum') sum += Number(value);
    else if (kind === 'count') count += Number(value);
    else {
      const le = /le="([^"]*)"/.exec(labels)![1];
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(value));
    }
  }
  if (count === 0) return undefined;
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const quantile = (q: number) => {
    const rank = q * count;
    let lower = 0;
    let below = 0;
    for (const bound of bounds) {
      const cumulative = buckets.get(bound)!;
      if (cumulative >= rank) {
        // Past the largest finite bound there is nothing to interpolate towards.
        if (bound === Infinity) return lower;
        return lower + ((bound - lower) * (rank - below)) / Math.max(1, cumulative - below);
      }
      lower = bound;
      below = cumulative;
    }
    return lower;
  };
  const ms = (seconds: number) => Math.round(seconds * 10_000) / 10;
  return { count, p50Ms: ms(quantile(0.5)), p95Ms: ms(quantile(0.95)), meanMs: ms(sum / count) };
}
