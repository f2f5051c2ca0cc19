import type { authApi } from '@sextant/contracts';

export type Role = authApi.components['schemas']['Role'];
export type Permission = authApi.components['schemas']['Permission'];

/** The one table of what each role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: [
    'events:write',
    'reports:read',
    'models:run',
    'members:read',
    'members:manage',
    'keys:manage',
    'audit:read',
    'privacy:manage',
  ],
  admin: [
    'events:write',
    'reports:read',
    'models:run',
    'members:read',
    'members:manage',
    'keys:manage',
    'audit:read',
    'privacy:manage',
  ],
  analyst: ['events:write', 'reports:read', 'models:run', 'members:read'],
  viewer: ['reports:read', 'members:read'],
};

export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[];

export function permissionsOf(role: Role): Permission[] {
  return [...ROLE_PERMISSIONS[role]];
}

/** Only an owner may hand out, change or take away the owner role. */
export function mayAssign(actorRole: Role, fromRole: Role | undefined, toRole: Role | undefined): boolean {
  if (actorRole === 'owner') return true;
  return fromRole !== 'owner' && toRole !== 'owner';
}

export type ApiKeyScope = authApi.components['schemas']['ApiKeyScope'];

/** What an API key may do, by scope: ingest keys only write tracking data, read keys only read. */
export const SCOPE_PERMISSIONS: Readonly<Record<ApiKeyScope, readonly Permission[]>> = {
  ingest: ['events:write'],
  read: ['reports:read'],
};

export function permissionsOfScopes(scopes: readonly ApiKeyScope[]): Permission[] {
  return [...new Set(scopes.flatMap((s) => SCOPE_PERMISSIONS[s] ?? []))];
}
