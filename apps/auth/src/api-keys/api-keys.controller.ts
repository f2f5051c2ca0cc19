import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { ApiKeysService } from './api-keys.service';
import { ClientAddress } from '../sessions/client-address';

type Schemas = authApi.components['schemas'];

/** Public (contract: `security: []`): the key is the credential. */
@Controller('api/v1/auth/api-keys/exchange')
export class ApiKeyExchangeController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  exchange(@Body() body: Schemas['ApiKeyExchangeRequest'], @ClientAddress() address: string) {
    return this.keys.exchange(body.apiKey, address);
  }
}

@Controller('api/v1/auth/api-keys')
@RequirePermissions('keys:manage')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Header('cache-control', 'no-store')
  @HttpCode(201)
  create(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: Schemas['ApiKeyRequest'],
    @ClientAddress() address: string,
  ) {
    return this.keys.create(identity, body, address);
  }

  @Get()
  list(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.keys.list(identity);
  }

  @Get(':keyId')
  get(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('keyId') keyId: string,
    @ClientAddress() address: string,
  ) {
    return this.keys.get(identity, keyId, address);
  }

  @Delete(':keyId')
  @HttpCode(204)
  async revoke(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('keyId') keyId: string,
    @ClientAddress() address: string,
  ): Promise<void> {
    await this.keys.revoke(identity, keyId, address);
  }
}
