import type { EntityManager } from 'typeorm';

/** A tenant's attribution settings (defaults until the tenant changes them). */
export interface TenantSettings {
  lookbackDays: number;
  halfLifeDays: number;
  creditDirectOnlyWhenAllDirect: boolean;
  directChannels: string[];
}

/** Ingestion's channel grouping names the direct channel `Direct` (GA4); the others are common spellings. */
export const DEFAULT_SETTINGS: TenantSettings = {
  lookbackDays: 30,
  halfLifeDays: 7,
  creditDirectOnlyWhenAllDirect: true,
  directChannels: ['Direct', 'direct', '(direct)'],
};

interface SettingsRow {
  lookback_days: number;
  half_life_days: number;
  credit_direct_only_when_all_direct: boolean;
  direct_channels: string[];
}

/** The settings of the transaction's tenant (row-level security scopes the read). */
export async function loadTenantSettings(manager: EntityManager): Promise<TenantSettings> {
  const [row]: SettingsRow[] = await manager.query(
    `select lookback_days, half_life_days, credit_direct_only_when_all_direct, direct_channels
       from attribution.settings`,
  );
  if (!row) return { ...DEFAULT_SETTINGS, directChannels: [...DEFAULT_SETTINGS.directChannels] };
  return {
    lookbackDays: row.lookback_days,
    halfLifeDays: Number(row.half_life_days),
    creditDirectOnlyWhenAllDirect: row.credit_direct_only_when_all_direct,
    directChannels: row.direct_channels,
  };
}

export async function saveTenantSettings(
  manager: EntityManager,
  tenantId: string,
  settings: TenantSettings,
): Promise<void> {
  await manager.query(
    `insert into attribution.settings
       (tenant_id, lookback_days, half_life_days, credit_direct_only_when_all_direct, direct_channels)
     values ($1, $2, $3, $4, $5)
     on conflict (tenant_id) do update set lookback_days = excluded.lookback_days,
       half_life_days = excluded.half_life_days,
       credit_direct_only_when_all_direct = excluded.credit_direct_only_when_all_direct,
       direct_channels = excluded.direct_channels, updated_at = now()`,
    [
      tenantId,
      settings.lookbackDays,
      settings.halfLifeDays,
      settings.creditDirectOnlyWhenAllDirect,
      settings.directChannels,
    ],
  );
}
