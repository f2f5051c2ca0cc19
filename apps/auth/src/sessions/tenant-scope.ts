import type { EntityManager } from 'typeorm';

/** Scopes the rest of the current transaction to a tenant (as withTenant does for a new one). */
export async function scopeToTenant(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
}

/** Lets the rest of the transaction read the memberships of this user in every tenant. */
export async function scopeToUser(manager: EntityManager, userId: string): Promise<void> {
  await manager.query(`select set_config('app.user_id', $1, true)`, [userId]);
}
