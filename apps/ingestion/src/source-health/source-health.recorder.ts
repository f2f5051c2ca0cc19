import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Transactions } from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import { Counter, Gauge } from 'prom-client';

/** What one request did, for one source. */
export interface SourceActivity {
  tenantId: string;
  sourceId: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  withClickId: number;
  withUserId: number;
  withEither: number;
}

type Bucket = Omit<SourceActivity, 'tenantId' | 'sourceId'> & { lastSeenAt: number };
const FLUSH_MS = 5_000;
const MINUTE_MS = 60_000;

/**
 * Counts events per source in memory (no write on the request path) and adds the counts to the
 * per-minute `source_health` rows every few seconds; also exports them as Prometheus metrics. A
 * crash loses at most one flush interval of health counts, never an event.
 */
@Injectable()
export class SourceHealthRecorder implements OnModuleInit, OnApplicationShutdown {
  private buckets = new Map<string, Bucket>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly logger = new Logger(SourceHealthRecorder.name);
  private readonly events: Counter<'outcome' | 'source'>;
  private readonly lastSeen: Gauge<'source'>;
  private readonly matched: Counter<'source' | 'signal'>;

  constructor(
    private readonly transactions: Transactions,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    this.events = new Counter({
      name: 'ingestion_tracking_events_total',
      help: 'Tracking events by outcome (accepted, duplicate, rejected) and source (ingest key)',
      labelNames: ['outcome', 'source'],
      registers,
    });
    this.matched = new Counter({
      name: 'ingestion_tracking_matchable_events_total',
      help: 'Accepted events carrying a click id, a user id, or either (match quality = either / accepted)',
      labelNames: ['source', 'signal'],
      registers,
    });
    this.lastSeen = new Gauge({
      name: 'ingestion_source_last_seen_seconds',
      help: 'Unix time of the last event from each source',
      labelNames: ['source'],
      registers,
    });
  }

  record(activity: SourceActivity, at = Date.now()): void {
    const { tenantId, sourceId } = activity;
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const key = `${tenantId}|${sourceId}|${minute}`;
    const bucket = this.buckets.get(key) ?? {
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      withClickId: 0,
      withUserId: 0,
      withEither: 0,
      lastSeenAt: at,
    };
    bucket.accepted += activity.accepted;
    bucket.duplicates += activity.duplicates;
    bucket.rejected += activity.rejected;
    bucket.withClickId += activity.withClickId;
    bucket.withUserId += activity.withUserId;
    bucket.withEither += activity.withEither;
    bucket.lastSeenAt = Math.max(bucket.lastSeenAt, at);
    this.buckets.set(key, bucket);

    this.events.inc({ outcome: 'accepted', source: sourceId }, activity.accepted);
    this.events.inc({ outcome: 'duplicate', source: sourceId }, activity.duplicates);
    this.events.inc({ outcome: 'rejected', source: sourceId }, activity.rejected);
    this.matched.inc({ source: sourceId, signal: 'click_id' }, activity.withClickId);
    this.matched.inc({ source: sourceId, signal: 'user_id' }, activity.withUserId);
    this.matched.inc({ source: sourceId, signal: 'either' }, activity.withEither);
    this.lastSeen.set({ source: sourceId }, at / 1000);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Adds the counts gathered so far to the database (one statement per tenant). */
  flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.write())
      .catch((error: unknown) => {
        this.logger.warn(
          `source health flush failed; counts kept for the next one: ${(error as Error).message}`,
        );
      });
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.buckets.size === 0) return;
    const taken = this.buckets;
    this.buckets = new Map();
    const byTenant = new Map<string, object[]>();
    for (const [key, bucket] of taken) {
      const [tenantId, sourceId, minute] = key.split('|');
      const rows = byTenant.get(tenantId) ?? [];
      rows.push({
        source_id: sourceId,
        minute: new Date(Number(minute)).toISOString(),
        accepted: bucket.accepted,
        duplicates: bucket.duplicates,
        rejected: bucket.rejected,
        with_click_id: bucket.withClickId,
        with_user_id: bucket.withUserId,
        with_either: bucket.withEither,
        last_seen_at: new Date(bucket.lastSeenAt).toISOString(),
      });
      byTenant.set(tenantId, rows);
    }
    for (const [tenantId, rows] of byTenant) {
      try {
        await this.transactions.forTenant(tenantId, (m) =>
          m.query(
            `insert into source_health as h (tenant_id, source_id, minute, accepted, duplicates, rejected,
                with_click_id, with_user_id, with_either, last_seen_at)
             select $1, r.* from jsonb_to_recordset($2::jsonb) as r(source_id text, minute timestamptz,
                accepted int, duplicates int, rejected int, with_click_id int, with_user_id int,
                with_either int, last_seen_at timestamptz)
             order by r.source_id, r.minute
             on conflict (tenant_id, source_id, minute) do update set
               accepted = h.accepted + excluded.accepted,
               duplicates = h.duplicates + excluded.duplicates,
               rejected = h.rejected + excluded.rejected,
               with_click_id = h.with_click_id + excluded.with_click_id,
               with_user_id = h.with_user_id + excluded.with_user_id,
               with_either = h.with_either + excluded.with_either,
               last_seen_at = greatest(h.last_seen_at, excluded.last_seen_at)`,
            [tenantId, JSON.stringify(rows)],
          ),
        );
      } catch (error) {
        // Put the counts back so the next flush adds them.
        for (const [key, bucket] of taken) if (key.startsWith(`${tenantId}|`)) this.mergeBack(key, bucket);
        throw error;
      }
    }
  }

  private mergeBack(key: string, bucket: Bucket): void {
    const current = this.buckets.get(key);
    if (!current) return void this.buckets.set(key, bucket);
    for (const field of [
      'accepted',
      'duplicates',
      'rejected',
      'withClickId',
      'withUserId',
      'withEither',
    ] as const)
      current[field] += bucket[field];
    current.lastSeenAt = Math.max(current.lastSeenAt, bucket.lastSeenAt);
  }
}
