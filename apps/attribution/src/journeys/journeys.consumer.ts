import { Injectable } from '@nestjs/common';
import type { EventPayloads } from '@sextant/contracts';
import type { EventHandlers } from '@sextant/platform/messaging';
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
  eventHandlers(): EventHandlers {
    return {
      'ingestion.event.accepted.v1': (event, { manager, tenantId }) =>
        this.recordTouch(manager, tenantId, event),
      'ingestion.identity.merged.v1': (merge, { manager, tenantId }) =>
        this.mergeProfiles(manager, tenantId, merge),
      'commerce.order.recorded.v1': (order, { manager, tenantId }) =>
        this.recordOrder(manager, tenantId, order),
    };
  }

  private async recordTouch(manager: EntityManager, tenantId: string, event: AcceptedEvent): Promise<void> {
    const touch = event.touch;
    // Without the consent the tenant requires for attribution, the event is no touch of a journey.
    if (touch === null || event.consentedUses?.attribution === false) return;
    const profileId = await lockedProfile(manager, event.profileId);
    const inserted: unknown[] = await manager.query(
      `insert into attribution.touchpoints
         (tenant_id, event_id, profile_id, channel, campaign, source, medium, click_id, touched_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning event_id`,
      [
        tenantId,
        event.eventId,
        profileId,
        touch.channel,
        touch.campaign,
        touch.source,
        touch.medium,
        touch.clickId,
        event.timestamp,
      ],
    );
    if (inserted.length === 0) return;
    const settings = await loadTenantSettings(manager);
    const affected: { order_id: string }[] = await manager.query(
      `select order_id from attribution.conversions
        where profile_id = $1 and converted_at >= $2 and converted_at <= $2::timestamptz + make_interval(days => $3)`,
      [profileId, event.timestamp, settings.lookbackDays],
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
  for (const id of [...new Set(profileIds)].sort())
    await manager.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`attribution:${id}`]);
}

/** Locks a profile id and the profile it was merged into, and returns the latter. */
async function lockedProfile(manager: EntityManager, profileId: string): Promise<string> {
  await lockProfiles(manager, [profileId]);
  const survivor = await survivingProfile(manager, profileId);
  if (survivor !== profileId) await lockProfiles(manager, [survivor]);
  return survivor;
}

/** The profile a (possibly merged) profile id now belongs to. */
async function survivingProfile(manager: EntityManager, profileId: string): Promise<string> {
  const [row]: { profile_id: string }[] = await manager.query(
    `select profile_id from attribution.merged_profiles where merged_profile_id = $1`,
    [profileId],
  );
  return row?.profile_id ?? profileId;
}
