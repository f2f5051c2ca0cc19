import { authOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { type AuthConfig, loadAuthConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const entities: Function[] = [];
export const migrations = [Initial1763800000000];

export function authService(config: AuthConfig = loadAuthConfig()): ServiceEntry<AuthConfig> {
  return {
    definition: { name: 'auth', config, contract: authOpenApiDocument, database: { entities, migrations } },
    features: [],
  };
}
