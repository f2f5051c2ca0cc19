import { authOpenApiDocument } from '@sextant/contracts';
import { purgeByTimeIndexMigration, type ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { outboxBatchesMigration, outboxCompressionMigration } from '@sextant/platform/messaging';
import { AuthModule } from './auth.module';
import { type AuthConfig, loadAuthConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Identity1763900000000 } from './migrations/1763900000000-Identity';
import { MfaKeysAudit1764400000000 } from './migrations/1764400000000-MfaKeysAudit';
import { AuditEventsConsumer } from './audit/audit-events.consumer';
import { AUDIT_EVENTS_PURGE, AuditRetention1764850000000 } from './migrations/1764850000000-AuditRetention';
import { RetentionModule, RetentionWindowsConsumer } from './retention/retention';

/** The auth schema is written in SQL (see the Identity migration); no TypeORM entities. */
export const entities: ClassType[] = [];
export const migrations = [
  Initial1763800000000,
  Identity1763900000000,
  MfaKeysAudit1764400000000,
  AuditRetention1764850000000,
  outboxBatchesMigration('auth'),
  outboxCompressionMigration('auth'),
  purgeByTimeIndexMigration([AUDIT_EVENTS_PURGE]),
];

export function authService(config: AuthConfig = loadAuthConfig()): ServiceEntry<AuthConfig> {
  return {
    definition: {
      name: 'auth',
      config,
      contract: authOpenApiDocument,
      database: { entities, migrations },
      subscribers: [AuditEventsConsumer, RetentionWindowsConsumer],
      // Auth records its own state changes in detail (AuditLog); the platform adds its denials.
      auditTrail: 'denials',
    },
    features: [AuthModule.forConfig(config), RetentionModule],
  };
}
