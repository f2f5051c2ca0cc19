import type { IngestionPingRecordedV1 } from '@sextant/contracts';
import { createServiceDataSource, withTenant } from '@sextant/platform/database';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { addManyToOutbox } from './outbox';

// Real PostgreSQL: the outbox write keeps order, ids and headers in one row, and validates every payload.
describe('addManyToOutbox (real PostgreSQL)', () => {
  const env = testEnvironment();
  const tenantId = randomUUID();
  let ingestion: DataSource;

  beforeAll(async () => {
    ingestion = await createServiceDataSource({
      schema: 'ingestion',
      url: serviceUrls(env, 'ingestion').appUrl,
      entities: MESSAGING_ENTITIES,
    }).initialize();
  });
  afterAll(() => ingestion?.destroy());

  const ping = (note: string): IngestionPingRecordedV1 => ({
    pingId: randomUUID(),
    tenantId,
    note,
    recordedAt: new Date().toISOString(),
  });

  it('writes all events as one row, in the given order, with the given event ids', async () => {
    const given = randomUUID();
    const events = Array.from({ length: 50 }, (_, i) => ({
      tenantId,
      key: `${tenantId}:${i % 7}`,
      payload: ping(`n${i}`),
      ...(i === 3 ? { eventId: given } : {}),
    }));
    const ids = await withTenant(ingestion, tenantId, (m) =>
      addManyToOutbox(m, 'ingestion.ping.recorded.v1', events),
    );
    expect(ids).toHaveLength(50);
    expect(ids[3]).toBe(given);
    expect(new Set(ids).size).toBe(50);
    const rows: {
      position: string;
      event_id: string;
      message_key: string;
      payload: { note: string };
      headers: Record<string, string>;
    }[] = await ingestion.query(
      `select position, event_id, message_key, payload, headers from outbox_messages
        where event_id = any($1::uuid[]) order by position, index`,
      [ids],
    );
    expect(rows.map((r) => r.event_id)).toEqual(ids);
    expect(new Set(rows.map((r) => r.position)).size).toBe(1);
    expect(rows.map((r) => r.payload.note)).toEqual(events.map((e) => e.payload.note));
    expect(rows.map((r) => r.message_key)).toEqual(events.map((e) => e.key));
    for (const row of rows) {
      expect(row.headers['event-id']).toBe(row.event_id);
      expect(row.headers['tenant-id']).toBe(tenantId);
      expect(row.headers.schema).toBe('ingestion.ping.recorded.v1');
    }
    await ingestion.query(`delete from outbox where position = $1`, [rows[0].position]);
  });

  it('refuses the whole set when one payload breaks its schema, and writes nothing for an empty set', async () => {
    const bad = { ...ping('bad'), pingId: 'not-a-uuid' };
    await expect(
      withTenant(ingestion, tenantId, (m) =>
        addManyToOutbox(m, 'ingestion.ping.recorded.v1', [
          { tenantId, key: tenantId, payload: ping('good') },
          { tenantId, key: tenantId, payload: bad },
        ]),
      ),
    ).rejects.toThrow();
    const [{ n }] = await ingestion.query(
      `select count(*)::int as n from outbox_messages where payload->>'tenantId' = $1`,
      [tenantId],
    );
    expect(n).toBe(0);
    expect(
      await withTenant(ingestion, tenantId, (m) => addManyToOutbox(m, 'ingestion.ping.recorded.v1', [])),
    ).toEqual([]);
  });
});
