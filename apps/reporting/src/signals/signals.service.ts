import { Injectable } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { PageCursor } from '../dashboards/query-params';
import { publishLive } from '../live/live-feed';
import { queueWebhookDeliveries } from '../webhooks/webhook-outbox';
import { findChanges } from './signal-detection';

type Schemas = reportingApi.components['schemas'];
type SignalView = Schemas['Signal'];
type Status = Schemas['SignalStatus'];

/** The workflow: which status may follow which. */
const TRANSITIONS: Record<Status, Status[]> = {
  open: ['acknowledged', 'resolved', 'dismissed'],
  acknowledged: ['open', 'resolved', 'dismissed'],
  resolved: ['open'],
  dismissed: ['open'],
};

const SIGNAL_COLUMNS = `signal_id, metric, dimension, to_char(day, 'YYYY-MM-DD') as day, severity, expected, observed,
  score, narrative, status, assignee_id, created_at, updated_at`;

const toView = (r: Record<string, unknown>): SignalView => ({
  signalId: r.signal_id as string,
  metric: r.metric as SignalView['metric'],
  dimension: r.dimension as string,
  day: r.day as string,
  severity: r.severity as SignalView['severity'],
  expected: r.expected as number,
  observed: r.observed as number,
  score: r.score as number,
  narrative: r.narrative as string,
  status: r.status as Status,
  assigneeId: r.assignee_id as string | null,
  createdAt: (r.created_at as Date).toISOString(),
  updatedAt: (r.updated_at as Date).toISOString(),
});

@Injectable()
export class SignalsService {
  constructor(private readonly transactions: Transactions) {}

  /**
   * Raises a signal per new finding on `day`; one already raised for the same key is kept. Each new
   * signal is published (outbox), streamed live and queued for the matching webhooks, all in this
   * transaction.
   */
  async detect(tenantId: string, day: string, actorId: string | null): Promise<SignalView[]> {
    return this.transactions.forTenant(tenantId, async (m) => {
      const raised: SignalView[] = [];
      for (const finding of await findChanges(m, tenantId, day)) {
        const { change } = finding;
        const [row] = await m.query(
          `insert into signals (tenant_id, signal_id, metric, dimension, day, severity, expected, observed, score, narrative)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict (tenant_id, metric, dimension, day) do nothing returning ${SIGNAL_COLUMNS}`,
          [
            tenantId,
            randomUUID(),
            finding.metric,
            finding.dimension,
            day,
            change.severity,
            change.expected,
            change.observed,
            change.score,
            finding.narrative,
          ],
        );
        if (!row) continue;
        const signal = toView(row);
        await this.activity(m, tenantId, signal.signalId, actorId, 'raised', { severity: signal.severity });
        await addToOutbox(m, 'reporting.signal.raised.v1', {
          tenantId,
          key: tenantId,
          payload: {
            tenantId,
            signalId: signal.signalId,
            metric: signal.metric,
            dimension: signal.dimension,
            day: signal.day,
            severity: signal.severity,
            expected: signal.expected,
            observed: signal.observed,
            score: signal.score,
            narrative: signal.narrative,
            raisedAt: signal.createdAt,
          },
        });
        await publishLive(m, tenantId, 'signal.raised', signal);
        await queueWebhookDeliveries(m, tenantId, signal);
        raised.push(signal);
      }
      return raised;
    });
  }

  async list(
    tenantId: string,
    q: { status?: Status; severity?: string; limit: number; cursor?: string },
  ): Promise<Schemas['SignalPage']> {
    const { cursor: _c, limit: _l, ...filters } = q;
    const offset = PageCursor.decode(q.cursor, filters);
    const rows: Record<string, unknown>[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(
        `select ${SIGNAL_COLUMNS} from signals where tenant_id = $1
           and ($2::text is null or status = $2) and ($3::text is null or severity = $3)
         order by created_at desc, signal_id limit $4 offset $5`,
        [tenantId, q.status ?? null, q.severity ?? null, q.limit + 1, offset],
      ),
    );
    return {
      items: rows.slice(0, q.limit).map(toView),
      nextCursor: rows.length > q.limit ? PageCursor.encode(offset + q.limit, filters) : null,
    };
  }

  async get(tenantId: string, signalId: string): Promise<Schemas['SignalDetail']> {
    return this.transactions.forTenant(tenantId, async (m) => {
      const signal = await this.find(m, tenantId, signalId);
      const activity: Record<string, unknown>[] = await m.query(
        `select activity_id, kind, actor_id, detail, at from signal_activity
         where tenant_id = $1 and signal_id = $2 order by at, activity_id`,
        [tenantId, signalId],
      );
      return {
        signal,
        activity: activity.map((a) => ({
          activityId: a.activity_id as string,
          kind: a.kind as Schemas['SignalActivity']['kind'],
          actorId: a.actor_id as string | null,
          detail: a.detail as Record<string, never>,
          at: (a.at as Date).toISOString(),
        })),
      };
    });
  }

  async update(
    tenantId: string,
    signalId: string,
    actorId: string,
    change: { status?: Status; assigneeId?: string | null },
  ): Promise<SignalView> {
    return this.transactions.forTenant(tenantId, async (m) => {
      const signal = await this.find(m, tenantId, signalId, true);
      if (change.status !== undefined && change.status !== signal.status) {
        if (!TRANSITIONS[signal.status].includes(change.status))
          throw new ApiProblem(
            400,
            'invalid_transition',
            `A ${signal.status} signal cannot become ${change.status}.`,
            [
              {
                field: '/body/status',
                message: `allowed from ${signal.status}: ${TRANSITIONS[signal.status].join(', ')}`,
              },
            ],
          );
        await this.activity(m, tenantId, signalId, actorId, 'status_changed', {
          from: signal.status,
          to: change.status,
        });
      }
      if (change.assigneeId !== undefined && change.assigneeId !== signal.assigneeId) {
        if (change.assigneeId !== null) {
          const member = await m.query(
            `select 1 from members where tenant_id = $1 and user_id = $2 and active`,
            [tenantId, change.assigneeId],
          );
          if (member.length === 0)
            throw ApiProblem.notFound(`No member ${change.assigneeId} in this tenant.`);
        }
        await this.activity(m, tenantId, signalId, actorId, 'assigned', {
          from: signal.assigneeId,
          to: change.assigneeId,
        });
      }
      const [row] = await m
        .query(
          `update signals set status = coalesce($3, status),
           assignee_id = case when $4::boolean then $5::uuid else assignee_id end, updated_at = now()
         where tenant_id = $1 and signal_id = $2 returning ${SIGNAL_COLUMNS}`,
          [
            tenantId,
            signalId,
            change.status ?? null,
            change.assigneeId !== undefined,
            change.assigneeId ?? null,
          ],
        )
        .then((r: unknown[]) => (Array.isArray(r[0]) ? (r[0] as unknown[]) : r));
      return toView(row as Record<string, unknown>);
    });
  }

  async comment(tenantId: string, signalId: string, actorId: string, body: string) {
    return this.transactions.forTenant(tenantId, async (m) => {
      await this.find(m, tenantId, signalId);
      return this.activity(m, tenantId, signalId, actorId, 'commented', { body });
    });
  }

  private async find(m: EntityManager, tenantId: string, signalId: string, lock = false) {
    const [row] = await m.query(
      `select ${SIGNAL_COLUMNS} from signals where tenant_id = $1 and signal_id = $2${lock ? ' for update' : ''}`,
      [tenantId, signalId],
    );
    if (!row) throw ApiProblem.notFound(`No signal ${signalId}.`);
    return toView(row);
  }

  private async activity(
    m: EntityManager,
    tenantId: string,
    signalId: string,
    actorId: string | null,
    kind: Schemas['SignalActivity']['kind'],
    detail: object,
  ): Promise<Schemas['SignalActivity']> {
    const activityId = randomUUID();
    const [row] = await m.query(
      `insert into signal_activity (tenant_id, activity_id, signal_id, actor_id, kind, detail)
       values ($1, $2, $3, $4, $5, $6) returning at`,
      [tenantId, activityId, signalId, actorId, kind, detail],
    );
    return {
      activityId,
      kind,
      actorId,
      detail: detail as Record<string, never>,
      at: (row.at as Date).toISOString(),
    };
  }
}
