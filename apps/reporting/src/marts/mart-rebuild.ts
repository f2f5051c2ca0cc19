import {
  type BatchEventHandlers,
  type EventHandlers,
  EventConsumerHost,
  idempotentProducer,
  RenewableProducer,
  type TopicNames,
} from '@sextant/platform/messaging';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** Bump when a mart's definition changes: the next start finds no finished build and replays. */
export const MART_VERSION = 'marts-v1';

export interface RebuildProgress {
  consumed: number;
  total: number;
}

export interface MartRebuildOptions {
  kafka: Kafka;
  dataSource: DataSource;
  topics: TopicNames;
  handlers: EventHandlers;
  batchHandlers?: BatchEventHandlers;
  logger: Logger;
  onProgress?: (progress: RebuildProgress) => void;
  pollMs?: number;
}

/**
 * Replays every topic the marts read from its earliest retained offset, under a fresh consumer
 * group, into emptied marts. Processed events are recorded under the service's own name, so the
 * live consumer running alongside and the replay apply each event once between them. Finished
 * when the replay group has committed up to the high watermarks seen at the start.
 */
export async function rebuildMarts(options: MartRebuildOptions): Promise<RebuildProgress> {
  const { kafka, dataSource, topics, handlers, logger } = options;
  const groupId = topics.group(`reporting.rebuild.${Date.now().toString(36)}`);
  await dataSource.query(
    `insert into mart_builds (id, status, group_id, started_at, finished_at) values ($1, 'running', $2, now(), null)
     on conflict (id) do update set status = 'running', group_id = excluded.group_id, started_at = now(), finished_at = null`,
    [MART_VERSION, groupId],
  );
  await dataSource.query(`select reset_marts()`);
  const admin = kafka.admin();
  const producer = new RenewableProducer(() => idempotentProducer(kafka), logger);
  await Promise.all([admin.connect(), producer.connect()]);
  const names = Object.keys(handlers).map((t) => topics.topic(t));
  const ends = new Map<string, { low: number; high: number }>();
  for (const topic of names)
    for (const p of await admin.fetchTopicOffsets(topic))
      ends.set(`${topic}:${p.partition}`, { low: Number(p.low), high: Number(p.high) });
  const total = [...ends.values()].reduce((sum, e) => sum + e.high - e.low, 0);
  const host = new EventConsumerHost({
    kafka,
    producer,
    dataSource,
    topics,
    service: 'reporting',
    groupId,
    handlers,
    batchHandlers: options.batchHandlers,
    logger: logger.child({ component: 'mart-rebuild' }),
    maxAttempts: 3,
    retryBackoffMs: 500,
  });
  await host.start();
  let progress = { consumed: 0, total };
  try {
    for (;;) {
      const committed = await admin.fetchOffsets({ groupId, topics: names });
      let consumed = 0;
      for (const t of committed)
        for (const p of t.partitions) {
          const end = ends.get(`${t.topic}:${p.partition}`);
          if (end) consumed += Math.min(end.high, Math.max(end.low, Number(p.offset))) - end.low;
        }
      progress = { consumed, total };
      options.onProgress?.(progress);
      if (consumed >= total) break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
    }
  } finally {
    await host.stop();
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  }
  await dataSource.query(`update mart_builds set status = 'finished', finished_at = now() where id = $1`, [
    MART_VERSION,
  ]);
  logger.info(progress, 'marts rebuilt from the earliest retained offsets');
  return progress;
}

/** True when this mart version was never built completely (a new deployment or a mart change). */
export async function martsNeedRebuild(dataSource: DataSource): Promise<boolean> {
  const rows = await dataSource.query(`select 1 from mart_builds where id = $1 and status = 'finished'`, [
    MART_VERSION,
  ]);
  return rows.length === 0;
}
