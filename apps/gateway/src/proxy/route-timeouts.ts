/**
 * Upstream timeouts per operation (`"GET /api/v1/reporting/exports/{exportId}"`) or per domain
 * (`"reporting"`), from `ROUTE_TIMEOUTS`; the operation wins over its domain, both over the default.
 */
export class RouteTimeouts {
  private readonly byKey: Map<string, number>;

  constructor(
    json: string,
    private readonly fallbackMs: number,
  ) {
    let parsed: Record<string, unknown> = {};
    if (json.trim()) {
      try {
        parsed = JSON.parse(json) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`ROUTE_TIMEOUTS is not valid JSON: ${(error as Error).message}`);
      }
    }
    for (const [key, ms] of Object.entries(parsed))
      if (!Number.isInteger(ms) || (ms as number) < 1)
        throw new Error(`ROUTE_TIMEOUTS: '${key}' must be a positive number of milliseconds`);
    this.byKey = new Map(Object.entries(parsed) as [string, number][]);
  }

  /** `route` is `"<METHOD> <template>"` (undefined outside the contract). */
  for(domain: string, route: string | undefined): number {
    return (route && this.byKey.get(route)) || this.byKey.get(domain) || this.fallbackMs;
  }
}
