import { Body, Controller, Get, Header, HttpCode, Post, Put } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { ClientAddress } from '../sessions/client-address';
import { MfaService } from './mfa.service';

type Schemas = authApi.components['schemas'];

@Controller('api/v1/auth')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Post('login/mfa')
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  completeLogin(@Body() body: Schemas['MfaLoginRequest'], @ClientAddress() address: string) {
    return this.mfa.completeLogin(body, address);
  }

  @Post('login/mfa/enrolment')
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  startLoginEnrolment(@Body() body: Schemas['MfaEnrolmentStartRequest']) {
    return this.mfa.startLoginEnrolment(body.mfaToken);
  }

  @Post('mfa/totp')
  @Header('cache-control', 'no-store')
  @HttpCode(201)
  startEnrolment(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.mfa.startEnrolment(identity);
  }

  @Post('mfa/totp/confirm')
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  confirm(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: Schemas['TotpCode'],
    @ClientAddress() address: string,
  ) {
    return this.mfa.confirmEnrolment(identity, body.code, address);
  }

  @Post('mfa/totp/disable')
  @HttpCode(204)
  async disable(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: Schemas['MfaDisableRequest'],
    @ClientAddress() address: string,
  ): Promise<void> {
    await this.mfa.disable(identity, body, address);
  }

  @Get('tenant/settings')
  @RequirePermissions('members:read')
  settings(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.mfa.tenantSettings(identity);
  }

  @Put('tenant/settings')
  @RequirePermissions('members:manage')
  updateSettings(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: Schemas['TenantSettings'],
    @ClientAddress() address: string,
  ) {
    return this.mfa.updateTenantSettings(identity, body, address);
  }
}
