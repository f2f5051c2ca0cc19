import { Body, Controller, Get, Injectable, Module, Put } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';

type Settings = reportingApi.components['schemas']['ReportingSettings'];

/** The currency used when a tenant never chose one. */
export const DEFAULT_REPORTING_CURRENCY = 'USD';

@Injectable()
export class SettingsService {
  constructor(private readonly transactions: Transactions) {}

  async get(tenantId: string): Promise<Settings> {
    const [row] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select reporting_currency from tenant_settings where tenant_id = $1`, [tenantId]),
    );
    return {
      reportingCurrency: (row?.reporting_currency as string | undefined) ?? DEFAULT_REPORTING_CURRENCY,
    };
  }

  /** Only currencies of the rate table: the dashboards could not convert into any other. */
  async set(tenantId: string, settings: Settings): Promise<Settings> {
    return this.transactions.forTenant(tenantId, async (m) => {
      const known = await m.query(`select 1 from fx_rates where currency = $1`, [settings.reportingCurrency]);
      if (known.length === 0)
        throw ApiProblem.badRequest(`No conversion rate for currency ${settings.reportingCurrency}.`, [
          { field: '/body/reportingCurrency', message: 'not an ISO 4217 currency of the rate table' },
        ]);
      await m.query(
        `insert into tenant_settings (tenant_id, reporting_currency) values ($1, $2)
         on conflict (tenant_id) do update set reporting_currency = excluded.reporting_currency`,
        [tenantId, settings.reportingCurrency],
      );
      return { reportingCurrency: settings.reportingCurrency };
    });
  }
}

@Controller('api/v1/reporting/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @RequirePermissions('reports:read')
  get(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.settings.get(identity.tenantId);
  }

  @Put()
  @RequirePermissions('members:manage')
  set(@CurrentIdentity() identity: VerifiedIdentity, @Body() body: Settings) {
    return this.settings.set(identity.tenantId, body);
  }
}

@Module({ controllers: [SettingsController], providers: [SettingsService] })
export class SettingsModule {}
