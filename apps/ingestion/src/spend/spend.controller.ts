import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import type { FastifyRequest } from 'fastify';
import { readCsvSpend, readJsonSpend } from './spend-rows';
import { SpendService } from './spend.service';

type ImportRequest = ingestionApi.components['schemas']['SpendImportRequest'];

@Controller('api/v1/ingestion/spend')
export class SpendController {
  constructor(private readonly spend: SpendService) {}

  @Post()
  @HttpCode(200)
  @RequirePermissions('events:write')
  import(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Req() request: FastifyRequest,
    @Body() body: ImportRequest | string,
  ) {
    const csv = request.headers['content-type']?.startsWith('text/csv') ?? false;
    const parsed = csv ? readCsvSpend(body as string) : readJsonSpend((body as ImportRequest).rows);
    return this.spend.import(identity.tenantId, parsed);
  }

  @Get()
  @RequirePermissions('reports:read')
  list(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Query('from') from: string,
    @Query('to') to: string,
    @Query('channel') channel?: string,
  ) {
    return this.spend.list(identity.tenantId, from, to, channel);
  }
}
