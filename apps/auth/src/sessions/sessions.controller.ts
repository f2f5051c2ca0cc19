import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { CurrentIdentity, type VerifiedIdentity } from '@sextant/platform/auth';
import { SigningKeys } from '../signing/signing-keys';
import { SessionsService } from './sessions.service';
import { ClientAddress } from './client-address';

type Body<K extends keyof authApi.operations> = authApi.operations[K] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;
type Schemas = authApi.components['schemas'];

@Controller()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly keys: SigningKeys,
  ) {}

  @Get('.well-known/jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): Schemas['JsonWebKeySet'] {
    return this.keys.jwks() as Schemas['JsonWebKeySet'];
  }

  @Post('api/v1/auth/register')
  @Header('cache-control', 'no-store')
  @HttpCode(201)
  register(@Body() body: Body<'register'>, @ClientAddress() address: string) {
    return this.sessions.register(body, address);
  }

  @Post('api/v1/auth/login')
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  login(@Body() body: Body<'login'>, @ClientAddress() address: string) {
    return this.sessions.login(body, address);
  }

  @Post('api/v1/auth/refresh')
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  refresh(@Body() body: Body<'refreshTokens'>, @ClientAddress() address: string) {
    return this.sessions.refresh(body.refreshToken, address);
  }

  @Post('api/v1/auth/logout')
  @HttpCode(204)
  async logout(@Body() body: Body<'logout'>, @ClientAddress() address: string): Promise<void> {
    await this.sessions.logout(body.refreshToken, address);
  }

  @Post('api/v1/auth/logout-all')
  @HttpCode(204)
  async logoutEverywhere(@CurrentIdentity() identity: VerifiedIdentity, @ClientAddress() address: string) {
    await this.sessions.logoutEverywhere(identity, address);
  }

  @Get('api/v1/auth/me')
  me(@CurrentIdentity() identity: VerifiedIdentity): Schemas['Identity'] {
    return {
      userId: identity.userId,
      subjectType: identity.subjectType,
      tenantId: identity.tenantId,
      permissions: identity.permissions,
    };
  }
}
