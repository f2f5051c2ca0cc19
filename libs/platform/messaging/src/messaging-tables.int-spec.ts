import { testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { batchOutboxRows, createMessagingTables, unbatchOutboxRows } from './messaging-tables';

// Real PostgreSQL: events waiting in the outbox across the batching migration, either way, are kept in order.
describe('outbox batching migration (real PostgreSQL)', () => {
  const env = testEnvironment();
  const schema = `outbox_migration_${randomUUID().slice(0, 8)}`;
  let admin: DataSource;

  beforeAll(async () => {
    const url = new URL(env.adminUrl);
    url.pathname = `/${env.database}`;
    admin = await new DataSource({ type: 'postgres', url: url.toString() }).initialize();
    await admin.query(`create schema "${schema}"`);
  });
  afterAll(async () => {
    await admin?.query(`drop schema if exists "${schema}" cascade`);
    await admin?.destroy();
  });

  const event = (n: number) => ({
    eventId: randomUUID(),
    topic: n % 2 ? 'a.v1' : 'b.v1',
    key: `k${n}`,
    payload: { n, text: `"quoted" ${n}` },
    headers: { 'event-id': `e${n}`, schema: 'a.v1' },
  });
  type Event = ReturnType<typeof event>;
  const asRow = (e: Event) => ({
    event_id: e.eventId,
    topic: e.topic,
    message_key: e.key,
    payload: e.payload,
    headers: e.headers,
  });

  it('keeps rows of the previous release beside batched rows, lists both in order, and splits batches back', async () => {
    const runner = admin.createQueryRunner();
    const outbox = `"${schema}"."outbox"`;
    try {
      await createMessagingTables(runner, schema);
      const before = [event(1), event(2)];
      for (const e of before)
        await runner.query(
          `insert into ${outbox} (event_id, topic, message_key, payload, headers) values ($1, $2, $3, $4, $5)`,
          [e.eventId, e.topic, e.key, e.payload, e.headers],
        );

      await batchOutboxRows(runner, schema);
      const batch = [event(3), event(5)];
      await runner.query(`insert into ${outbox} (topic, messages, message_count) values ($1, $2, $3)`, [
        'a.v1',
        JSON.stringify(
          batch.map((e) => ({
            eventId: e.eventId,
            key: e.key,
            headers: e.headers,
            value: JSON.stringify(e.payload),
          })),
        ),
        batch.length,
      ]);
      const written = [...before, event(4)];
      await runner.query(
        `insert into ${outbox} (event_id, topic, message_key, payload, headers) values ($1, $2, $3, $4, $5)`,
        [written[2].eventId, written[2].topic, written[2].key, written[2].payload, written[2].headers],
      );
      const all = [...before, ...batch, written[2]];
      const listed = await runner.query(
        `select event_id, topic, message_key, payload, headers from "${schema}"."outbox_messages" order by position, index`,
      );
      expect(listed).toEqual(all.map(asRow));

      await unbatchOutboxRows(runner, schema);
      const rows = await runner.query(
        `select event_id, topic, message_key, payload, headers from ${outbox} order by position`,
      );
      // The batch's events come last: they are new rows.
      expect(rows).toEqual([...written, ...batch].map(asRow));
    } finally {
      await runner.release();
    }
  });
});
