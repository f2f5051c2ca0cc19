export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One upstream's circuit breaker. After `failureThreshold` consecutive failures (no answer, a
 * timeout, a 5xx) it opens: requests fail fast for `openMs`. Then one trial request is let
 * through (half-open): success closes the circuit, failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private current: BreakerState = 'closed';

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a request may go to the upstream now; if not, how long until it may (ms). */
  admit(): { allowed: true } | { allowed: false; retryAfterMs: number } {
    if (this.current === 'open') {
      const elapsed = this.now() - this.openedAt;
      if (elapsed < this.openMs) return { allowed: false, retryAfterMs: this.openMs - elapsed };
      this.current = 'half-open';
    }
    if (this.current === 'half-open') {
      if (this.trialInFlight) return { allowed: false, retryAfterMs: this.openMs };
      this.trialInFlight = true;
    }
    return { allowed: true };
  }

  succeeded(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.current = 'closed';
  }

  failed(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.current === 'half-open' || this.failures >= this.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
    }
  }
}
