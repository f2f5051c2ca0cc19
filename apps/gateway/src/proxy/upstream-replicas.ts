import { BalancedPool, Dispatcher, Pool } from 'undici';

/** The service behind each API domain, as the gateway reaches it: one URL, or its replicas' URLs. */
export type Upstreams = Record<string, readonly string[]>;

/** The replicas of a service in turn, for the gateway's own calls to it outside the proxy. */
export function inTurn(urls: readonly string[]): () => string {
  let next = 0;
  return () => urls[next++ % urls.length];
}

/**
 * The proxy's HTTP client: keep-alive connections pooled per upstream. A service given as several
 * replicas is addressed by its first URL's origin and served by one pool over all of them (undici's
 * BalancedPool: in turn, a replica that fails weighted down until it answers again). Not an undici
 * Agent: an Agent closes an origin's pool whenever it holds no connection, which would reset the
 * balance after every refused connection.
 */
export class UpstreamDispatcher extends Dispatcher {
  private readonly pools: Map<string, Dispatcher>;

  constructor(upstreams: Upstreams, options: Pool.Options) {
    super();
    this.pools = new Map(
      Object.values(upstreams).map((urls) => {
        const origins = urls.map((url) => new URL(url).origin);
        const pool = origins.length > 1 ? new BalancedPool(origins, options) : new Pool(origins[0], options);
        return [origins[0], pool];
      }),
    );
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // reply-from (as undici's request) passes the URL's origin: a string, looked up without parsing.
    const origin = typeof options.origin === 'string' ? options.origin : options.origin?.origin;
    const pool = origin === undefined ? undefined : this.pools.get(origin);
    if (!pool) throw new Error(`${String(options.origin)} is not an upstream of the gateway`);
    return pool.dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closed = Promise.all([...this.pools.values()].map((pool) => pool.close())).then(() => undefined);
    if (!callback) return closed;
    void closed.then(callback);
  }
}
