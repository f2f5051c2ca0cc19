import { Controller, Get, Param } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { PingArrival } from './ping-arrival.entity';

type Arrival = reportingApi.components['schemas']['PingArrival'];

@Controller('api/v1/reporting/pings')
export class PingsController {
  constructor(private readonly transactions: Transactions) {}

  @Get(':pingId')
  @RequirePermissions('reports:read')
  async arrival(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('pingId') pingId: string,
  ): Promise<Arrival> {
    const arrival = await this.transactions.forTenant(identity.tenantId, (m) =>
      m.findOneBy(PingArrival, { pingId }),
    );
    if (!arrival) throw ApiProblem.notFound(`Ping ${pingId} has not reached reporting.`);
    return {
      pingId: arrival.pingId,
      tenantId: arrival.tenantId,
      note: arrival.note,
      recordedAt: arrival.recordedAt.toISOString(),
      arrivedAt: arrival.arrivedAt.toISOString(),
    };
  }
}
