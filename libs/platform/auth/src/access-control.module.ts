import { type DynamicModule, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenVerifier } from './access-token';
import { AccessGuard } from './access.guard';

export interface AccessControlOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  /** Builds the verifier, e.g. `new AccessTokenVerifier({ issuer, audience, keys: remoteKeySet(url) })`. */
  useFactory: (...args: never[]) => AccessTokenVerifier | Promise<AccessTokenVerifier>;
}

/** Puts the AccessGuard in front of every route of the service (see AccessGuard for what is public). */
@Module({})
export class AccessControlModule {
  static forRoot(options: AccessControlOptions): DynamicModule {
    return {
      module: AccessControlModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: AccessTokenVerifier, inject: options.inject ?? [], useFactory: options.useFactory },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [AccessTokenVerifier],
    };
  }
}
