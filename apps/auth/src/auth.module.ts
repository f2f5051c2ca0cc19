import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccessControlModule, AccessTokenVerifier } from '@sextant/platform/auth';
import { ApiKeyExchangeController, ApiKeysController } from './api-keys/api-keys.controller';
import { AuditEventsConsumer } from './audit/audit-events.consumer';
import { MfaChallenges } from './mfa/mfa-challenges';
import { MfaController } from './mfa/mfa.controller';
import { MfaService } from './mfa/mfa.service';
import { ServiceTokensController } from './service-identity/service-tokens.controller';
import { ServiceTokensService } from './service-identity/service-tokens.service';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log';
import { AUTH_CONFIG, type AuthConfig } from './config';
import { MembersController } from './members/members.controller';
import { MembersService } from './members/members.service';
import { LoginThrottle } from './sessions/login-throttle';
import { PasswordHasher } from './sessions/password-hasher';
import { SessionTokens } from './sessions/session-tokens';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsService } from './sessions/sessions.service';
import { SigningKeys } from './signing/signing-keys';

@Global()
@Module({})
class AuthConfigModule {
  static of(config: AuthConfig): DynamicModule {
    return {
      module: AuthConfigModule,
      providers: [{ provide: AUTH_CONFIG, useValue: config }],
      exports: [AUTH_CONFIG],
    };
  }
}

@Module({ providers: [SigningKeys], exports: [SigningKeys] })
class SigningModule {}

/** The auth service's features; its own routes are guarded like every service's, with its own keys. */
@Module({
  imports: [
    SigningModule,
    AccessControlModule.forRoot({
      imports: [SigningModule],
      inject: [AUTH_CONFIG, SigningKeys],
      useFactory: (config: AuthConfig, keys: SigningKeys) =>
        new AccessTokenVerifier({
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
          keys: keys.keyResolver,
        }),
    }),
  ],
  controllers: [
    SessionsController,
    MfaController,
    MembersController,
    ApiKeyExchangeController,
    ApiKeysController,
    ServiceTokensController,
    AuditController,
  ],
  providers: [
    AuditLog,
    LoginThrottle,
    PasswordHasher,
    SessionTokens,
    SessionsService,
    MembersService,
    ApiKeysService,
    MfaChallenges,
    MfaService,
    ServiceTokensService,
    AuditEventsConsumer,
  ],
})
export class AuthModule {
  static forConfig(config: AuthConfig): DynamicModule {
    return { module: AuthModule, imports: [AuthConfigModule.of(config)] };
  }
}
