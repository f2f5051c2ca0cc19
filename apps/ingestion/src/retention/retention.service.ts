import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { RETENTION_DEFAULTS, Transactions } from '@sextant/platform/database';
import { addToOutbox } from '@sextant/platform/messaging';
import { RetentionSettingsRow } from './retention-settings.entity';

type RetentionWindows = ingestionApi.components['schemas']['RetentionWindows'];
type RetentionView = ingestionApi.components['schemas']['RetentionView'];

/**
 * A tenant's retention windows: kept here (ingestion purges its own classes from this table) and
 * published whole as `privacy.retention.changed.v1` for the other services holding a class.
 */
@Injectable()
export class RetentionService {
  constructor(private readonly transactions: Transactions) {}

  view(tenantId: string): Promise<RetentionView> {
    return this.transactions.forTenant(tenantId, async (manager) =>
      view(await manager.findOneBy(RetentionSettingsRow, { tenantId })),
    );
  }

  replace(tenantId: string, windows: RetentionWindows): Promise<RetentionView> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const row: RetentionSettingsRow = { tenantId, ...pick(windows), updatedAt: new Date() };
      await manager.upsert(RetentionSettingsRow, row, ['tenantId']);
      await addToOutbox(manager, 'privacy.retention.changed.v1', {
        tenantId,
        key: tenantId,
        payload: { tenantId, windows: pick(windows), changedAt: row.updatedAt.toISOString() },
      });
      return view(row);
    });
  }
}

function pick(w: RetentionWindows): RetentionWindows {
  return {
    rawEventsDays: w.rawEventsDays,
    deadLettersDays: w.deadLettersDays,
    journeysDays: w.journeysDays,
    auditLogDays: w.auditLogDays,
  };
}

function view(row: RetentionSettingsRow | null): RetentionView {
  return {
    windows: row ? pick(row) : { ...RETENTION_DEFAULTS },
    defaults: { ...RETENTION_DEFAULTS },
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}
