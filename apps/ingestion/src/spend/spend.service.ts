import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { Between } from 'typeorm';
import { AdSpend } from './spend.entity';
import { isCalendarDate, type SpendInput, type SpendParse } from './spend-rows';

type Schemas = ingestionApi.components['schemas'];
const MAX_PERIOD_DAYS = 366;

@Injectable()
export class SpendService {
  constructor(private readonly transactions: Transactions) {}

  /**
   * All or nothing: a file with a bad row is refused whole (every bad row named), so a corrected
   * file can simply be sent again. Each row is an upsert that bumps the revision only when a value
   * changed, and only a changed row is published.
   */
  import(tenantId: string, parsed: SpendParse): Promise<Schemas['SpendImportReceipt']> {
    if (!parsed.ok)
      throw ApiProblem.badRequest('The spend import has bad rows; nothing was stored.', parsed.errors);
    return this.transactions.forTenant(tenantId, async (manager) => {
      let recorded = 0;
      for (const row of parsed.rows) {
        const [changed] = (await manager.query(
          `INSERT INTO ingestion.ad_spend
             (tenant_id, date, channel, campaign, currency, amount_minor, impressions, clicks, revision, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, now())
           ON CONFLICT (tenant_id, date, channel, campaign) DO UPDATE
              SET currency = EXCLUDED.currency, amount_minor = EXCLUDED.amount_minor,
                  impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks,
                  revision = ad_spend.revision + 1, recorded_at = EXCLUDED.recorded_at
            WHERE (ad_spend.currency, ad_spend.amount_minor, ad_spend.impressions, ad_spend.clicks)
                  IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.amount_minor, EXCLUDED.impressions, EXCLUDED.clicks)
           RETURNING revision, recorded_at`,
          [
            tenantId,
            row.date,
            row.channel,
            row.campaign,
            row.currency,
            row.amountMinor,
            row.impressions,
            row.clicks,
          ],
        )) as { revision: number; recorded_at: Date }[];
        if (!changed) continue;
        recorded++;
        await addToOutbox(manager, 'marketing.spend.recorded.v1', {
          tenantId,
          key: `${tenantId}:${row.channel}`,
          payload: {
            tenantId,
            ...row,
            revision: changed.revision,
            recordedAt: changed.recorded_at.toISOString(),
          },
        });
      }
      return { received: parsed.rows.length, recorded, unchanged: parsed.rows.length - recorded };
    });
  }

  list(tenantId: string, from: string, to: string, channel?: string): Promise<Schemas['SpendList']> {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (!isCalendarDate(from) || !isCalendarDate(to) || days < 0 || days >= MAX_PERIOD_DAYS)
      throw ApiProblem.badRequest(
        `The period must run from a date to a date at most ${MAX_PERIOD_DAYS} days later.`,
        [
          {
            field: '/query/to',
            message: `must be on or after from and within ${MAX_PERIOD_DAYS} days of it`,
          },
        ],
      );
    return this.transactions.forTenant(tenantId, async (manager) => {
      const rows = await manager.find(AdSpend, {
        where: { date: Between(from, to), ...(channel ? { channel } : {}) },
        order: { date: 'ASC', channel: 'ASC', campaign: 'ASC' },
      });
      return { items: rows.map(toRecord) };
    });
  }
}

function toRecord(row: AdSpend): Schemas['SpendRecord'] {
  const record: SpendInput = row;
  return {
    date: record.date,
    channel: record.channel,
    campaign: record.campaign,
    currency: record.currency,
    amountMinor: record.amountMinor,
    impressions: record.impressions,
    clicks: record.clicks,
    revision: row.revision,
    recordedAt: row.recordedAt.toISOString(),
  };
}
