import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { HistoryRow } from './history-import';

export interface DemandRow {
  sku: string;
  day: string;
  quantity: number;
}

/** Reads and writes `ts_demand_daily` inside the caller's tenant transaction. */
@Injectable()
export class DemandHistory {
  /** Imported days replace earlier imports of the same SKU and day; ordered demand is kept. */
  async importRows(manager: EntityManager, tenantId: string, rows: HistoryRow[]): Promise<void> {
    const chunk = 10_000;
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      await manager.query(
        `insert into ts_demand_daily (tenant_id, sku, day, imported)
         select $1, r.sku, r.day::date, r.quantity
           from unnest($2::text[], $3::text[], $4::float8[]) as r(sku, day, quantity)
         on conflict (tenant_id, sku, day) do update set imported = excluded.imported`,
        [tenantId, part.map((r) => r.sku), part.map((r) => r.date), part.map((r) => r.quantity)],
      );
    }
  }

  async lastDay(manager: EntityManager): Promise<string | null> {
    const [row] = await manager.query(`select max(day)::text as day from ts_demand_daily`);
    return row?.day ?? null;
  }

  async allSkus(manager: EntityManager): Promise<string[]> {
    const rows: { sku: string }[] = await manager.query(
      `select distinct sku from ts_demand_daily order by sku`,
    );
    return rows.map((r) => r.sku);
  }

  async unknownSkus(manager: EntityManager, skus: string[]): Promise<string[]> {
    const rows: { sku: string }[] = await manager.query(
      `select s.sku from unnest($1::text[]) as s(sku)
        where not exists (select 1 from ts_demand_daily d where d.sku = s.sku)`,
      [skus],
    );
    return rows.map((r) => r.sku);
  }

  /** Daily rows of these SKUs up to `end`, grouped by SKU. */
  async rowsBySku(manager: EntityManager, skus: string[], end: string): Promise<Map<string, DemandRow[]>> {
    const rows: DemandRow[] = await manager.query(
      `select sku, day::text as day, ordered + imported as quantity
         from ts_demand_daily where sku = any($1::text[]) and day <= $2::date order by sku, day`,
      [skus, end],
    );
    const bySku = new Map<string, DemandRow[]>(skus.map((s) => [s, []]));
    for (const row of rows) bySku.get(row.sku)?.push(row);
    return bySku;
  }
}
