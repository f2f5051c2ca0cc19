import { Controller, Get, Query } from '@nestjs/common';
import type { authApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { AuditLog } from './audit-log';

type Query_ = NonNullable<authApi.operations['listAuditEvents']['parameters']['query']>;

@Controller('api/v1/auth/audit-events')
export class AuditController {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @RequirePermissions('audit:read')
  list(@CurrentIdentity() identity: VerifiedIdentity, @Query() query: Query_) {
    return this.transactions.forTenant(identity.tenantId, (m) =>
      this.audit.query(m, { ...query, limit: Number(query.limit ?? 50) }),
    );
  }
}
