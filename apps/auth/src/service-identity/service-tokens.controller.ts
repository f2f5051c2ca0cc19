import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { ClientAddress } from '../sessions/client-address';
import { ServiceTokensService } from './service-tokens.service';

/** Public (contract: `security: []`): the signed client assertion is the credential. */
@Controller('api/v1/auth/service-tokens')
export class ServiceTokensController {
  constructor(private readonly tokens: ServiceTokensService) {}

  @Post()
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  issue(
    @Body() body: authApi.components['schemas']['ServiceTokenRequest'],
    @ClientAddress() address: string,
  ) {
    return this.tokens.issue(body, address);
  }
}
