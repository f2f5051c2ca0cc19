import { authOpenApiDocument } from '@sextant/contracts';
import type { ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { type AuthConfig, loadAuthConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';

export const entities: ClassType[] = [];
export const migrations = [Initial1763800000000];

export function authService(config: AuthConfig = loadAuthConfig()): ServiceEntry<AuthConfig> {
  return {
    definition: { name: 'auth', config, contract: authOpenApiDocument, database: { entities, migrations } },
    features: [],
  };
}
