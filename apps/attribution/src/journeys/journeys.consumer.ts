import { Injectable } from '@nestjs/common';
import type { EventPayloads } from '@sextant/contracts';
import type { BatchEventHandlers, EventHandlers } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';
import { loadTenantSettings } from '../settings/tenant-settings';
import { recomputeConversions } from './conversions';

type AcceptedEvent = EventPayloads['ingestion.event.accepted.v1'];
type IdentityMerge = EventPayloads['ingestion.identity.merged.v1'];
type Order = EventPayloads['commerce.order.recorded.v1'];

/**
 * Builds journeys from ingestion's facts: touches, identity merges and orders (conversions). Each
 * handler runs in the message's transaction (with its event id recorded), so a redelivered message
 * changes nothing; every change recomputes the conversions it affects.
 */
@Injectable()
export class JourneysConsumer {
  /** Accepted events arrive by the thousand per second: each tenant's share of a poll at once. */
  batchEventHandlers(): BatchEventHandlers {
    return {
      'ingestion.event.accepted.v1': (events, { manager, tenantId }) =>
        this.recordTouches(manager, tenantId, events),
    };
  }

  eventHandlers(): EventHandlers {
    return {
      'ingestion.event.accepted.v1': (event, { manager, tenantId }) =>
        this.recordTouches(manager, tenantId, [event]),
      'ingestion.identity.merged.v1': (merge, { manager, tenantId }) =>
        this.mergeProfiles(manager, tenantId, merge),
      'commerce.order.recorded.v1': (order, { manager, tenantId }) =>
        this.recordOrder(manager, tenantId, order),
    };
  }

  /**
   * Stores the touches among `events` on their (surviving) profiles, then recomputes the
   * conversions within the lookback window after any new touch, each once.
   */
  private async recordTouches(
    manager: EntityManager,
    tenantId: string,
    events: AcceptedEvent[],
  ): Promise<void> {
    // Without the consent the tenant requires for attribution, an event is no touch of a journey.
    const touches = events.filter((e) => e.touch !== null && e.consentedUses?.attribution !== false);
    if (touches.length === 0) return;
    const survivors = await lockedProfiles(
      manager,
      touches.map((e) => e.profileId),
    );
    const column = <T>(pick: (event: AcceptedEvent) => T) => touches.map(pick);
    const inserted: { profile_id: string; touched_at: Date }[] = await manager.query(
      `insert into attribution.touchpoints
         (tenant_id, event_id, profile_id, channel, campaign, source, medium, click_id, touched_at)
       select $1, t.* from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::timestamptz[]) as t
       on conflict do nothing returning profile_id, touched_at`,
      [
        tenantId,
        column((e) => e.eventId),
        column((e) => survivors.get(e.profileId)),
        column((e) => e.touch!.channel),
        column((e) => e.touch!.campaign),
        column((e) => e.touch!.source),
        column((e) => e.touch!.medium),
        column((e) => e.touch!.clickId),
        column((e) => e.timestamp),
      ],
    );
    if (inserted.length === 0) return;
    const settings = await loadTenantSettings(manager);
    const affected: { order_id: string }[] = await manager.query(
      `select distinct c.order_id from attribution.conversions c
         join unnest($1::uuid[], $2::timestamptz[]) as t(profile_id, touched_at) on c.profile_id = t.profile_id
        where c.converted_at >= t.touched_at and c.converted_at <= t.touched_at + make_interval(days => $3)`,
      [
        inserted.map((r) => r.profile_id),
        inserted.map((r) => r.touched_at.toISOString()),
        settings.lookbackDays,
      ],
    );
    await recomputeConversions(
      manager,
      tenantId,
      affected.map((r) => r.order_id),
      settings,
    );
  }

  private async mergeProfiles(manager: EntityManager, tenantId: string, merge: IdentityMerge): Promise<void> {
    await lockProfiles(manager, [merge.profileId, ...merge.mergedProfileIds]);
    const survivor = await lockedProfile(manager, merge.profileId);
    const merged = merge.mergedProfileIds.filter((id) => id !== survivor);
    if (merged.length === 0) return;
    await manager.query(
      `insert into attribution.merged_profiles (tenant_id, merged_profile_id, profile_id, merged_at)
       select $1, id, $2, $3 from unnest($4::uuid[]) as id
       on conflict (tenant_id, merged_profile_id) do update set profile_id = excluded.profile_id, merged_at = excluded.merged_at`,
      [tenantId, survivor, merge.mergedAt, merged],
    );
    await manager.query(`update attribution.merged_profiles set profile_id = $1 where profile_id = any($2)`, [
      survivor,
      merged,
    ]);
    await manager.query(`update attribution.touchpoints set profile_id = $1 where profile_id = any($2)`, [
      survivor,
      merged,
    ]);
    await manager.query(`update attribution.conversions set profile_id = $1 where profile_id = any($2)`, [
      survivor,
      merged,
    ]);
    const affected: { order_id: string }[] = await manager.query(
      `select order_id from attribution.conversions where profile_id = $1`,
      [survivor],
    );
    await recomputeConversions(
      manager,
      tenantId,
      affected.map((r) => r.order_id),
    );
  }

  private async recordOrder(manager: EntityManager, tenantId: string, order: Order): Promise<void> {
    const profileId = order.profileId === null ? null : await lockedProfile(manager, order.profileId);
    const stored: unknown[] = await manager.query(
      `insert into attribution.conversions
         (tenant_id, order_id, profile_id, converted_at, currency, revenue_minor, order_revision)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (tenant_id, order_id) do update set profile_id = excluded.profile_id,
         converted_at = excluded.converted_at, currency = excluded.currency,
         revenue_minor = excluded.revenue_minor, order_revision = excluded.order_revision
       where attribution.conversions.order_revision < excluded.order_revision
       returning order_id`,
      [
        tenantId,
        order.orderId,
        profileId,
        order.placedAt,
        order.currency,
        order.netRevenueMinor,
        order.revision,
      ],
    );
    if (stored.length > 0) await recomputeConversions(manager, tenantId, [order.orderId]);
  }
}

/**
 * Serialises the transactions that change one profile's journeys (consumers of other partitions or
 * replicas), so a touch and an order of the same profile applied at the same time each see the
 * other. Locks are taken in id order; a deadlock with a merge is retried by the consumer.
 */
async function lockProfiles(manager: EntityManager, profileIds: string[]): Promise<void> {
  if (profileIds.length === 0) return;
  await manager.query(
    `select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest($1::text[]) with ordinality as u(k, n) order by n`,
    [[...new Set(profileIds)].sort().map((id) => `attribution:${id}`)],
  );
}

/** Locks a profile id and the profile it was merged into, and returns the latter. */
async function lockedProfile(manager: EntityManager, profileId: string): Promise<string> {
  return (await lockedProfiles(manager, [profileId])).get(profileId)!;
}

/** Locks profile ids and the profiles they were merged into; maps each id to the latter. */
async function lockedProfiles(manager: EntityManager, profileIds: string[]): Promise<Map<string, string>> {
  await lockProfiles(manager, profileIds);
  const rows: { merged_profile_id: string; profile_id: string }[] = await manager.query(
    `select merged_profile_id, profile_id from attribution.merged_profiles where merged_profile_id = any($1::uuid[])`,
    [[...new Set(profileIds)]],
  );
  const survivors = new Map(profileIds.map((id) => [id, id]));
  for (const row of rows) survivors.set(row.merged_profile_id, row.profile_id);
  await lockProfiles(
    manager,
    rows.map((row) => row.profile_id),
  );
  return survivors;
}
