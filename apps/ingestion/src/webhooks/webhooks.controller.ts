import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { CommerceProvider } from '@sextant/domain/ingestion';
import type { FastifyRequest } from 'fastify';
import { RAW_BODY } from './raw-body';
import { WebhooksService } from './webhooks.service';

/** Public (`security: []`): the provider's signature over the raw body is the authentication. */
@Controller('api/v1/ingestion/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':provider/:sourceId')
  @HttpCode(200)
  @RouteConfig(RAW_BODY)
  receive(
    @Param('provider') provider: CommerceProvider,
    @Param('sourceId') sourceId: string,
    @Req() request: FastifyRequest,
  ) {
    return this.webhooks.receive({
      provider,
      sourceId,
      rawBody: request.body as Buffer,
      headers: request.headers,
    });
  }
}
