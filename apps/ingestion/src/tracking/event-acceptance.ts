import { Inject, Injectable } from '@nestjs/common';
import type { EventPayloads } from '@sextant/contracts';
import type { IdentityOptions, Problem } from '@sextant/domain/ingestion';
import { preparedQuery } from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import { addManyToOutbox } from '@sextant/platform/messaging';
import { Counter } from 'prom-client';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { IdentityResolver } from '../identity/identity-resolver';
import { withoutNul, type PreparedEvent } from './tracking-event';

export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');

export interface Submission {
  prepared: PreparedEvent;
  sourceId: string | null;
}

export type Outcome = { status: 'accepted'; eventId: string; profileId: string } | { status: 'duplicate' };

export interface Rejection {
  sourceId: string | null;
  endpoint: string;
  rawEvent: unknown;
  envelope: Record<string, unknown> | null;
  problems: Problem[];
  receivedAt: Date;
}

/**
 * The write side of tracking, inside one tenant transaction: deduplicate on (tenant, messageId)
 * with one multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING (each key with the profile its
 * event is expected to get, read just before), resolve profiles for the new events, and write them
 * (and any identity merges) to the outbox with one row per topic. Since
 * the dedup keys and the outbox rows commit together, an event is published once or not at all.
 */
@Injectable()
export class EventAcceptance {
  private readonly merges: Counter;
  private readonly conflicts: Counter;
  private readonly deadLetters: Counter<'endpoint'>;

  constructor(
    @Inject(IDENTITY_OPTIONS) private readonly identityOptions: IdentityOptions,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    this.merges = new Counter({
      name: 'ingestion_identity_merges_total',
      help: 'Profile merges by identify/alias',
      registers,
    });
    this.conflicts = new Counter({
      name: 'ingestion_identity_conflicts_total',
      help: 'Links refused by the merge rule or caps (two userIds, merge or anonymous-id cap)',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'ingestion_dead_letters_total',
      help: 'Tracking events that failed validation and were dead-lettered, by endpoint',
      labelNames: ['endpoint'],
      registers,
    });
  }

  async accept(manager: EntityManager, tenantId: string, submissions: Submission[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = submissions.map(() => ({ status: 'duplicate' }));
    const firstOf = new Map<string, number>();
    submissions.forEach((s, i) => {
      if (!firstOf.has(s.prepared.messageId)) firstOf.set(s.prepared.messageId, i);
    });
    if (firstOf.size === 0) return outcomes;
    const identityOf = (index: number) => {
      const { prepared } = submissions[index];
      return { ...prepared, at: Date.parse(prepared.payload.timestamp) };
    };
    // Each key is written with its event's expected profile, so an accepted event is written once;
    // only those whose profile turns out otherwise (identify/alias, a lost race) are updated.
    const resolver = new IdentityResolver(manager, tenantId, this.identityOptions);
    const unique = [...firstOf].sort(([a], [b]) => (a < b ? -1 : 1));
    const expected = await resolver.expectedProfileIds(unique.map(([, index]) => identityOf(index)));
    const planned = new Map(
      unique.map(([messageId], n) => [messageId, { eventId: randomUUID(), profileId: expected[n] }]),
    );
    const inserted = await preparedQuery<{ message_id: string }>(
      manager,
      `insert into tracked_messages (tenant_id, message_id, event_id, profile_id, received_at)
       select $1, k.message_id, k.event_id, k.profile_id, now()
         from unnest($2::text[], $3::uuid[], $4::uuid[]) as k(message_id, event_id, profile_id)
       on conflict do nothing returning message_id`,
      [
        tenantId,
        unique.map(([messageId]) => messageId),
        unique.map(([messageId]) => planned.get(messageId)!.eventId),
        expected,
      ],
    );
    const fresh = new Set(inserted.map((row) => row.message_id));
    const accepted = [...firstOf]
      .filter(([messageId]) => fresh.has(messageId))
      .map(([, index]) => index)
      .sort((a, b) => a - b);
    if (accepted.length === 0) return outcomes;

    const identity = await resolver.resolve(accepted.map(identityOf));
    const events = accepted.map((index, n) => {
      const { prepared, sourceId } = submissions[index];
      const { eventId } = planned.get(prepared.messageId)!;
      const profileId = identity.profileIds[n];
      outcomes[index] = { status: 'accepted', eventId, profileId };
      return {
        tenantId,
        eventId,
        key: `${tenantId}:${profileId}`,
        payload: { ...prepared.payload, tenantId, eventId, profileId, sourceId },
      };
    });
    const unexpected = accepted.flatMap((index, n) => {
      const { messageId } = submissions[index].prepared;
      return planned.get(messageId)!.profileId === identity.profileIds[n]
        ? []
        : [[messageId, identity.profileIds[n]]];
    });
    if (unexpected.length > 0) {
      // `message_id = any(...)` keeps the update on the primary key; a join with a record set let the
      // planner hash the tenant's whole dedup table for every batch.
      await manager.query(
        `update tracked_messages t set profile_id = ($3::uuid[])[array_position($2::text[], t.message_id)]
          where t.tenant_id = $1 and t.message_id = any($2::text[])`,
        [tenantId, unexpected.map(([messageId]) => messageId), unexpected.map(([, profileId]) => profileId)],
      );
    }
    await addManyToOutbox(manager, 'ingestion.event.accepted.v1', events);
    await addManyToOutbox(
      manager,
      'ingestion.identity.merged.v1',
      identity.merges.map((merge) => ({ tenantId, key: `${tenantId}:${merge.profileId}`, payload: merge })),
    );
    this.merges.inc(identity.merges.length);
    this.conflicts.inc(identity.conflicts.length);
    return outcomes;
  }

  /** Stores rejected events and publishes each to `ingestion.event.rejected.v1`; returns their ids. */
  async deadLetter(manager: EntityManager, tenantId: string, rejections: Rejection[]): Promise<string[]> {
    if (rejections.length === 0) return [];
    const rows = rejections.map((r) => ({
      dead_letter_id: randomUUID(),
      source_id: r.sourceId,
      endpoint: r.endpoint,
      message_id: messageIdOf(r.rawEvent),
      errors: withoutNul(r.problems) as Problem[],
      raw_event: r.rawEvent === undefined ? null : withoutNul(r.rawEvent),
      envelope: r.envelope === null ? null : (withoutNul(r.envelope) as Record<string, unknown>),
      received_at: r.receivedAt.toISOString(),
    }));
    await manager.query(
      `insert into dead_letters (dead_letter_id, tenant_id, source_id, endpoint, message_id, errors, raw_event, envelope, received_at)
       select d.dead_letter_id, $1, d.source_id, d.endpoint, d.message_id, d.errors, d.raw_event, d.envelope, d.received_at
         from rows from (jsonb_to_recordset($2::jsonb) as (dead_letter_id uuid, source_id text, endpoint text,
              message_id text, errors jsonb, raw_event jsonb, envelope jsonb, received_at timestamptz))
              with ordinality as d(dead_letter_id, source_id, endpoint, message_id, errors, raw_event, envelope, received_at, n)
        order by d.n`,
      [tenantId, JSON.stringify(rows)],
    );
    await addManyToOutbox(
      manager,
      'ingestion.event.rejected.v1',
      rows.map((row) => ({
        tenantId,
        key: `${tenantId}:${row.dead_letter_id}`,
        payload: rejectedPayload(tenantId, row),
      })),
    );
    for (const r of rejections) this.deadLetters.inc({ endpoint: r.endpoint });
    return rows.map((row) => row.dead_letter_id);
  }
}

function messageIdOf(raw: unknown): string | null {
  const id = (raw as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? id.slice(0, 255) : null;
}

type Rejected = EventPayloads['ingestion.event.rejected.v1'];

function rejectedPayload(
  tenantId: string,
  row: {
    dead_letter_id: string;
    source_id: string | null;
    endpoint: string;
    message_id: string | null;
    errors: Problem[];
    raw_event: unknown;
    received_at: string;
  },
): Rejected {
  return {
    tenantId,
    deadLetterId: row.dead_letter_id,
    sourceId: row.source_id,
    endpoint: row.endpoint as Rejected['endpoint'],
    messageId: row.message_id,
    problems: row.errors.map((p) => ({
      path: p.path.slice(0, 512),
      reason: p.reason.slice(0, 1024),
    })) as Rejected['problems'],
    rawEvent: row.raw_event as Rejected['rawEvent'],
    receivedAt: row.received_at,
  };
}
