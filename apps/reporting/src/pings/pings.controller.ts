import { Controller, Get, Param, Query } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { PingArrival } from './ping-arrival.entity';

type Arrival = reportingApi.components['schemas']['PingArrival'];

@Controller('api/v1/reporting/pings')
export class PingsController {
  constructor(private readonly transactions: Transactions) {}

  @Get(':pingId')
  async arrival(@Param('pingId') pingId: string, @Query('tenantId') tenantId: string): Promise<Arrival> {
    const arrival = await this.transactions.forTenant(tenantId, (m) => m.findOneBy(PingArrival, { pingId }));
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
