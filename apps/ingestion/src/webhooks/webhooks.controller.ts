import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { CommerceProvider } from '@sextant/domain/ingestion';

const PROVIDERS: readonly string[] = ['shopify', 'woocommerce', 'stripe', 'paypal'];
import { isUuid } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
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
    // Checked here as well as by the contract: this route takes its body raw, before validation.
    if (!PROVIDERS.includes(provider) || !isUuid(sourceId))
      throw ApiProblem.notFound(`No ${provider} webhook source ${sourceId}.`);
    if (!Buffer.isBuffer(request.body))
      throw new ApiProblem(
        400,
        'bad_request',
        'A webhook body must be sent as application/json (or form data for WooCommerce).',
      );
    return this.webhooks.receive({
      provider,
      sourceId,
      rawBody: request.body as Buffer,
      headers: request.headers,
    });
  }
}
