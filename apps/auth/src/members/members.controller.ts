import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { MembersService } from './members.service';
import { ClientAddress } from '../sessions/client-address';

type Schemas = authApi.components['schemas'];

@Controller('api/v1/auth')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get('members')
  @RequirePermissions('members:read')
  list(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.members.list(identity);
  }

  @Get('members/:userId')
  @RequirePermissions('members:read')
  get(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('userId') userId: string,
    @ClientAddress() address: string,
  ) {
    return this.members.get(identity, userId, address);
  }

  @Patch('members/:userId')
  @RequirePermissions('members:manage')
  changeRole(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('userId') userId: string,
    @Body() body: Schemas['RoleChange'],
    @ClientAddress() address: string,
  ) {
    return this.members.changeRole(identity, userId, body.role, address);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @RequirePermissions('members:manage')
  async remove(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('userId') userId: string,
    @ClientAddress() address: string,
  ): Promise<void> {
    await this.members.remove(identity, userId, address);
  }

  @Post('invites')
  @Header('cache-control', 'no-store')
  @HttpCode(201)
  @RequirePermissions('members:manage')
  invite(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Body() body: Schemas['InviteRequest'],
    @ClientAddress() address: string,
  ) {
    return this.members.invite(identity, body, address);
  }

  @Post('invites/accept')
  @HttpCode(200)
  accept(@Body() body: Schemas['AcceptInviteRequest'], @ClientAddress() address: string) {
    return this.members.accept(body, address);
  }
}
