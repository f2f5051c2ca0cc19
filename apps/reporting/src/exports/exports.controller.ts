import { Controller, Get, Query, Res } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import type { FastifyReply } from 'fastify';
import { ExportsService } from './exports.service';

type ExportQuery = NonNullable<reportingApi.operations['exportDailyChannel']['parameters']['query']>;

@Controller('api/v1/reporting/exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('daily-channel')
  @RequirePermissions('reports:read')
  dailyChannel(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Query() q: ExportQuery,
    @Res() reply: FastifyReply,
  ) {
    const format = q.format ?? 'csv';
    const body = this.exports.dailyChannel(identity.tenantId, q, format);
    return reply
      .header(
        'content-type',
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      )
      .header('content-disposition', `attachment; filename="fct_daily_channel_${q.from}_${q.to}.${format}"`)
      .send(body);
  }
}
