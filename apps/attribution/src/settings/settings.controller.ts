import { Body, Controller, Get, Put } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { loadTenantSettings, saveTenantSettings, type TenantSettings } from './tenant-settings';

type Settings = attributionApi.components['schemas']['Settings'];
type SettingsUpdate = attributionApi.components['schemas']['SettingsUpdate'];

const CHANNEL_GROUPING =
  "Ingestion's channel grouping: touches arrive already classified by the tenant's rules in the ingestion service; change them there.";

@Controller('api/v1/attribution/settings')
export class SettingsController {
  constructor(private readonly transactions: Transactions) {}

  @Get()
  @RequirePermissions('reports:read')
  async get(@CurrentIdentity() identity: VerifiedIdentity): Promise<Settings> {
    const settings = await this.transactions.forTenant(identity.tenantId, loadTenantSettings);
    return toContract(settings);
  }

  @Put()
  @RequirePermissions('models:run')
  async update(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() update: SettingsUpdate,
  ): Promise<Settings> {
    const settings = await this.transactions.forTenant(identity.tenantId, async (manager) => {
      const next = { ...(await loadTenantSettings(manager)), ...update };
      await saveTenantSettings(manager, identity.tenantId, next);
      return next;
    });
    return toContract(settings);
  }
}

function toContract(settings: TenantSettings): Settings {
  return { ...settings, channelGrouping: CHANNEL_GROUPING };
}
