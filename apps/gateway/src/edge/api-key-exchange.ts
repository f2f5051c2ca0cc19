import { createHash } from 'node:crypto';
import { inTurn } from '../proxy/upstream-replicas';

/** What the auth service gives for a valid API key (`POST /api/v1/auth/api-keys/exchange`). */
export interface ExchangedKey {
  accessToken: string;
  keyId: string;
  tenantId: string;
  scopes: string[];
  /** When the gateway stops using the cached access token (a little before it expires). */
  refreshAt: number;
}

/** The auth service refused the key (unknown, revoked, expired): the client gets a 401. */
export class ApiKeyRejected extends Error {
  override name = 'ApiKeyRejected';
}

export interface ApiKeyExchangeOptions {
  /** Base URLs of the auth service's replicas (one for a load-balanced Service), asked in turn. */
  authUrls: readonly string[];
  /** Exchanged tokens kept (by key hash), oldest dropped first. */
  cacheSize?: number;
  /** Stop using a token this long before it expires. */
  refreshMarginMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

const keyHash = (key: string) => createHash('sha256').update(key).digest('base64url');

/**
 * Exchanges API keys for short-lived access tokens at the auth service and caches them by the
 * key's SHA-256 (never the key itself) until shortly before they expire. Concurrent requests with
 * the same key share one exchange. A revoked key (`auth.api-key.revoked.v1`) is dropped at once.
 */
export class ApiKeyExchange {
  private readonly cache = new Map<string, ExchangedKey>();
  private readonly inFlight = new Map<string, Promise<ExchangedKey>>();
  /** Recently revoked key ids and when: an exchange already in flight must not cache their token. */
  private readonly revokedAt = new Map<string, number>();
  private readonly cacheSize: number;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  private readonly exchangeUrl: () => string;

  constructor(private readonly options: ApiKeyExchangeOptions) {
    this.cacheSize = options.cacheSize ?? 10_000;
    this.refreshMarginMs = options.refreshMarginMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.exchangeUrl = inTurn(
      options.authUrls.map((url) => new URL('/api/v1/auth/api-keys/exchange', url).toString()),
    );
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  async exchange(apiKey: string): Promise<ExchangedKey> {
    const hash = keyHash(apiKey);
    const cached = this.cache.get(hash);
    if (cached) {
      if (cached.refreshAt > this.now()) return cached;
      this.cache.delete(hash);
    }
    let pending = this.inFlight.get(hash);
    if (!pending) {
      const startedAt = this.now();
      pending = this.fetchToken(apiKey, startedAt).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
      void pending.then((exchanged) => this.remember(hash, exchanged, startedAt)).catch(() => undefined);
    }
    return pending;
  }

  /** Forgets every cached token of a key (its id), so the next request exchanges again. */
  revoke(keyId: string): number {
    if (this.revokedAt.size >= this.cacheSize) this.revokedAt.delete(this.revokedAt.keys().next().value!);
    this.revokedAt.set(keyId, this.now());
    let dropped = 0;
    for (const [hash, entry] of this.cache) {
      if (entry.keyId === keyId) {
        this.cache.delete(hash);
        dropped++;
      }
    }
    return dropped;
  }

  private remember(hash: string, exchanged: ExchangedKey, startedAt: number) {
    if (this.cacheSize <= 0) return;
    if ((this.revokedAt.get(exchanged.keyId) ?? -Infinity) >= startedAt) return;
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, exchanged);
  }

  private async fetchToken(apiKey: string, startedAt: number): Promise<ExchangedKey> {
    const response = await fetch(this.exchangeUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ apiKey }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new ApiKeyRejected('The API key is not valid.');
    }
    if (response.status !== 200)
      throw new Error(`the auth service answered the key exchange with ${response.status}`);
    const body = (await response.json()) as Record<string, unknown>;
    const { accessToken, tokenType, expiresIn, keyId, tenantId, scopes } = body;
    if (
      typeof accessToken !== 'string' ||
      tokenType !== 'Bearer' ||
      typeof expiresIn !== 'number' ||
      typeof keyId !== 'string' ||
      typeof tenantId !== 'string' ||
      !Array.isArray(scopes)
    )
      throw new Error('the auth service answered the key exchange with an unexpected body');
    const lifetimeMs = expiresIn * 1000;
    return {
      accessToken,
      keyId,
      tenantId,
      scopes: scopes.map(String),
      // A short-lived token is still reused for at least half its life.
      refreshAt: startedAt + Math.max(lifetimeMs - this.refreshMarginMs, lifetimeMs / 2),
    };
  }
}
