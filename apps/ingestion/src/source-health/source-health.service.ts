import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';

type SourceHealthList = ingestionApi.components['schemas']['SourceHealthList'];

interface Totals {
  source_id: string;
  last_seen_at: Date;
  accepted: string;
  duplicates: string;
  rejected: string;
  with_click_id: string;
  with_user_id: string;
  with_either: string;
}

@Injectable()
export class SourceHealthService {
  constructor(private readonly transactions: Transactions) {}

  async list(tenantId: string, windowMinutes: number): Promise<SourceHealthList> {
    const rows: Totals[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(
        `select source_id, max(last_seen_at) as last_seen_at, sum(accepted) as accepted,
                sum(duplicates) as duplicates, sum(rejected) as rejected, sum(with_click_id) as with_click_id,
                sum(with_user_id) as with_user_id, sum(with_either) as with_either
           from source_health
          where minute >= date_trunc('minute', now()) - make_interval(mins => $1::int - 1)
          group by source_id order by source_id`,
        [windowMinutes],
      ),
    );
    return {
      windowMinutes,
      sources: rows.map((row) => {
        const accepted = Number(row.accepted);
        const duplicates = Number(row.duplicates);
        const rejected = Number(row.rejected);
        const total = accepted + duplicates + rejected;
        const share = (n: string) => (accepted === 0 ? 0 : Number(n) / accepted);
        return {
          sourceId: row.source_id,
          lastSeenAt: new Date(row.last_seen_at).toISOString(),
          accepted,
          duplicates,
          rejected,
          eventsPerMinute: total / windowMinutes,
          rejectionRate: total === 0 ? 0 : rejected / total,
          clickIdShare: share(row.with_click_id),
          userIdShare: share(row.with_user_id),
          matchQuality: share(row.with_either),
        };
      }),
    };
  }
}
