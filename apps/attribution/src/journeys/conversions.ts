import { addToOutbox } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';
import { updateReturning } from '../sql';
import { loadTenantSettings, type TenantSettings } from '../settings/tenant-settings';
import { type JourneyTouch, ruleBasedJourneyCredits } from './journey-credits';

interface ConversionRow {
  order_id: string;
  profile_id: string | null;
  converted_at: Date;
  currency: string;
  revenue_minor: string;
}

/** The touches of a profile's journey to a conversion: within the lookback window before it, in time order. */
export async function journeyTouches(
  manager: EntityManager,
  profileId: string | null,
  convertedAt: Date,
  lookbackDays: number,
): Promise<
  (JourneyTouch & { eventId: string; source: string | null; medium: string | null; clickId: string | null })[]
> {
  if (profileId === null) return [];
  const rows: {
    event_id: string;
    channel: string;
    campaign: string | null;
    source: string | null;
    medium: string | null;
    click_id: string | null;
    touched_at: Date;
  }[] = await manager.query(
    `select event_id, channel, campaign, source, medium, click_id, touched_at
       from attribution.touchpoints
      where profile_id = $1 and touched_at <= $2 and touched_at >= $2 - make_interval(days => $3)
      order by touched_at, event_id`,
    [profileId, convertedAt, lookbackDays],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    channel: r.channel,
    campaign: r.campaign,
    source: r.source,
    medium: r.medium,
    clickId: r.click_id,
    touchedAt: r.touched_at,
  }));
}

/**
 * Recomputes the rule-based credits of some conversions. A conversion whose journey, revenue or
 * credits did not change is left alone; one that changed gets the next credit revision and an
 * `attribution.credit.computed.v1` message in the same transaction.
 */
export async function recomputeConversions(
  manager: EntityManager,
  tenantId: string,
  orderIds: readonly string[],
  settings?: TenantSettings,
): Promise<void> {
  if (orderIds.length === 0) return;
  const tenantSettings = settings ?? (await loadTenantSettings(manager));
  const rows: ConversionRow[] = await manager.query(
    `select order_id, profile_id, converted_at, currency, revenue_minor from attribution.conversions
      where order_id = any($1) order by order_id for update`,
    [orderIds],
  );
  for (const row of rows) {
    const touches = await journeyTouches(
      manager,
      row.profile_id,
      row.converted_at,
      tenantSettings.lookbackDays,
    );
    const revenueMinor = Number(row.revenue_minor);
    const snapshot = {
      profileId: row.profile_id,
      convertedAt: row.converted_at.toISOString(),
      currency: row.currency,
      revenueMinor,
      touchpoints: touches.length,
      models: ruleBasedJourneyCredits(touches, row.converted_at, revenueMinor, tenantSettings),
    };
    const changed = await updateReturning<{ credit_revision: number }>(
      manager,
      `update attribution.conversions
          set credits = $2::jsonb, touchpoints = $3, credit_revision = credit_revision + 1, computed_at = now()
        where order_id = $1 and credits is distinct from $2::jsonb
        returning credit_revision`,
      [row.order_id, JSON.stringify(snapshot), touches.length],
    );
    if (changed.length === 0) continue;
    await addToOutbox(manager, 'attribution.credit.computed.v1', {
      tenantId,
      key: `${tenantId}:${row.order_id}`,
      payload: {
        tenantId,
        orderId: row.order_id,
        revision: changed[0].credit_revision,
        ...snapshot,
        computedAt: new Date().toISOString(),
      },
    });
  }
}
