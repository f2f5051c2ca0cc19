import { Controller, Get } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { MART_CATALOGUE } from './mart-catalogue';

type Catalogue = reportingApi.components['schemas']['MartCatalogue'];

@Controller('api/v1/reporting/marts')
export class MartCatalogueController {
  constructor(private readonly transactions: Transactions) {}

  @Get()
  @RequirePermissions('reports:read')
  async describe(@CurrentIdentity() identity: VerifiedIdentity): Promise<Catalogue> {
    return this.transactions.forTenant(identity.tenantId, async (m) => ({
      marts: await Promise.all(
        MART_CATALOGUE.map(async (mart) => {
          // Table names come from the constant catalogue, never from the request.
          const [{ count }] = await m.query(`select count(*)::int as count from ${mart.name}`);
          return { ...mart, rowCount: count as number };
        }),
      ),
    }));
  }
}
