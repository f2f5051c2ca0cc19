import { Injectable } from '@nestjs/common';
import type { authApi, EventPayloads } from '@sextant/contracts';
import type { EntityManager } from 'typeorm';

export type AuditAction = authApi.components['schemas']['AuditAction'];
type AuditEvent = authApi.components['schemas']['AuditEvent'];
type AuditEventPage = authApi.components['schemas']['AuditEventPage'];

export interface AuditEntry {
  /** null: an attempt that belongs to no tenant (a failed login); no tenant ever sees it. */
  tenantId: string | null;
  action: AuditAction;
  outcome: 'success' | 'failure';
  /** Default `user` when an actorId is given. */
  actorType?: 'user' | 'api_key' | 'service';
  actorId?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditQuery {
  action?: string;
  outcome?: 'success' | 'failure' | 'denied';
  service?: string;
  actorId?: string;
  since?: string;
  limit: number;
  cursor?: string;
}

/** An `audit.event.recorded.v1` from any service, as stored (idempotent on its event id). */
export type RecordedAuditEvent = EventPayloads['audit.event.recorded.v1'];

/** The append-only audit table (the app role may only insert and select). */
@Injectable()
export class AuditLog {
  /** Written in the caller's transaction, which must be scoped to entry.tenantId (or to none). */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.query(
      `insert into audit_events (tenant_id, action, outcome, actor_type, actor_id, subject_id, ip, detail)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        entry.tenantId,
        entry.action,
        entry.outcome,
        entry.actorId ? (entry.actorType ?? 'user') : null,
        entry.actorId ?? null,
        entry.subjectId ?? null,
        entry.ip ?? null,
        entry.detail ?? {},
      ],
    );
  }

  /** Stores another service's audit event; a redelivered event id changes nothing. */
  async store(manager: EntityManager, eventId: string, event: RecordedAuditEvent): Promise<void> {
    await manager.query(
      `insert into audit_events (tenant_id, event_id, service, action, outcome, actor_type, actor_id,
         subject_id, ip, request_id, detail, occurred_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict (event_id) do nothing`,
      [
        event.tenantId,
        eventId,
        event.service,
        event.action,
        event.outcome,
        event.actor.type,
        event.actor.id,
        event.resource?.id ?? null,
        event.ip,
        event.requestId,
        { ...event.details, resource: event.resource },
        event.occurredAt,
      ],
    );
  }

  /** Newest first, keyset-paged on the id; RLS limits it to the transaction's tenant. */
  async query(manager: EntityManager, query: AuditQuery): Promise<AuditEventPage> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      conditions.push(sql.replace('?', `$${values.length}`));
    };
    if (query.action) add('action = ?', query.action);
    if (query.outcome) add('outcome = ?', query.outcome);
    if (query.service) add('service = ?', query.service);
    if (query.actorId) add('actor_id = ?', query.actorId);
    if (query.since) add('occurred_at >= ?', query.since);
    if (query.cursor) add('id < ?', query.cursor);
    values.push(query.limit + 1);
    const rows: {
      id: string;
      service: string;
      action: string;
      outcome: 'success' | 'failure' | 'denied';
      actor_type: AuditEvent['actorType'];
      actor_id: string | null;
      subject_id: string | null;
      ip: string | null;
      request_id: string | null;
      detail: Record<string, unknown>;
      occurred_at: Date;
    }[] = await manager.query(
      `select id, service, action, outcome, actor_type, actor_id, subject_id, ip, request_id, detail,
              occurred_at
       from audit_events
       ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
       order by id desc limit $${values.length}`,
      values,
    );
    const page = rows.slice(0, query.limit);
    const items: AuditEvent[] = page.map((r) => ({
      eventId: String(r.id),
      service: r.service,
      action: r.action,
      outcome: r.outcome,
      actorType: r.actor_type,
      actorId: r.actor_id,
      subjectId: r.subject_id,
      ip: r.ip,
      requestId: r.request_id,
      detail: r.detail,
      occurredAt: r.occurred_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > query.limit ? String(page[page.length - 1].id) : null };
  }
}
