import { authOpenApiDocument } from '@sextant/contracts';
import type { ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { AuthModule } from './auth.module';
import { type AuthConfig, loadAuthConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Identity1763900000000 } from './migrations/1763900000000-Identity';

/** The auth schema is written in SQL (see the Identity migration); no TypeORM entities. */
export const entities: ClassType[] = [];
export const migrations = [Initial1763800000000, Identity1763900000000];

export function authService(config: AuthConfig = loadAuthConfig()): ServiceEntry<AuthConfig> {
  return {
    definition: { name: 'auth', config, contract: authOpenApiDocument, database: { entities, migrations } },
    features: [AuthModule.forConfig(config)],
  };
}
