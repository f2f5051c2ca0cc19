import type { EntityManager } from 'typeorm';

export type LiveKind = 'kpi.changed' | 'signal.raised' | 'run.completed';

/** KPI change notices are coalesced: at most one per tenant in this many seconds. */
const KPI_COALESCE_SECONDS = 2;

/** Records a message for the tenant's live stream, in the caller's transaction. */
export async function publishLive(
  m: EntityManager,
  tenantId: string,
  kind: LiveKind,
  data: object,
): Promise<void> {
  if (kind === 'kpi.changed') {
    await m.query(
      `insert into live_events (tenant_id, kind, data) select $1, $2, $3
       where not exists (select 1 from live_events where tenant_id = $1 and kind = $2
                         and at > now() - make_interval(secs => ${KPI_COALESCE_SECONDS}))`,
      [tenantId, kind, data],
    );
    return;
  }
  await m.query(`insert into live_events (tenant_id, kind, data) values ($1, $2, $3)`, [
    tenantId,
    kind,
    data,
  ]);
}
