import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import type { FastifyReply } from 'fastify';
import { SubjectRequestsService } from './subject-requests.service';

type SubjectRequestCreate = ingestionApi.components['schemas']['SubjectRequestCreate'];

@Controller('api/v1/ingestion/privacy')
export class SubjectRequestsController {
  constructor(private readonly requests: SubjectRequestsService) {}

  @Post('requests')
  @RequirePermissions('privacy:manage')
  async file(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: SubjectRequestCreate,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const request = await this.requests.file(identity, body);
    void reply.status(body.type === 'export' ? 200 : 202);
    return request;
  }

  @Get('requests')
  @RequirePermissions('privacy:manage')
  async list(@CurrentIdentity() identity: VerifiedIdentity, @Query('limit') limit?: string) {
    return { requests: await this.requests.list(identity.tenantId, limit ? Number(limit) : undefined) };
  }

  @Get('requests/:requestId')
  @RequirePermissions('privacy:manage')
  get(@CurrentIdentity() identity: VerifiedIdentity, @Param('requestId') requestId: string) {
    return this.requests.get(identity.tenantId, requestId);
  }

  @Get('suppressions')
  @RequirePermissions('privacy:manage')
  async suppressions(@CurrentIdentity() identity: VerifiedIdentity) {
    return { suppressions: await this.requests.suppressions(identity.tenantId) };
  }

  @Delete('suppressions/:suppressionId')
  @HttpCode(204)
  @RequirePermissions('privacy:manage')
  lift(@CurrentIdentity() identity: VerifiedIdentity, @Param('suppressionId') suppressionId: string) {
    return this.requests.lift(identity.tenantId, suppressionId);
  }
}
