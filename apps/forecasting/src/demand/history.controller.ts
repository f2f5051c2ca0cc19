import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { forecastingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { DemandHistory } from './demand-history';
import { addDays, demandSeries, type Frequency, seriesPeriods } from './demand-series';
import { checkHistoryJson, parseHistoryCsv } from './history-import';

type Schemas = forecastingApi.components['schemas'];

@Controller('api/v1/forecasting')
export class HistoryController {
  constructor(
    private readonly transactions: Transactions,
    private readonly history: DemandHistory,
  ) {}

  @Post('history/imports')
  @HttpCode(200)
  @RequirePermissions('models:run')
  async import(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: { rows: Schemas['HistoryRow'][] } | string,
  ): Promise<Schemas['ImportResult']> {
    const { rows, errors } =
      contentType?.startsWith('text/csv') && typeof body === 'string'
        ? parseHistoryCsv(body)
        : checkHistoryJson((body as { rows: Schemas['HistoryRow'][] }).rows);
    if (errors.length > 0)
      throw ApiProblem.badRequest(
        `${errors.length} row(s) of the import are invalid; nothing was imported.`,
        errors.slice(0, 200),
      );
    await this.transactions.forTenant(identity.tenantId, (m) =>
      this.history.importRows(m, identity.tenantId, rows),
    );
    const dates = rows.map((r) => r.date).sort();
    return {
      rows: rows.length,
      skus: new Set(rows.map((r) => r.sku)).size,
      firstDate: dates[0],
      lastDate: dates[dates.length - 1],
    };
  }

  @Get('skus/:sku')
  @RequirePermissions('reports:read')
  async sku(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Param('sku') sku: string,
    @Query('frequency') frequency: Frequency = 'day',
    @Query('from') from?: string,
  ): Promise<Schemas['SkuView']> {
    return this.transactions.forTenant(identity.tenantId, async (m) => {
      const end = await this.history.lastDay(m);
      const rows = end ? ((await this.history.rowsBySku(m, [sku], end)).get(sku) ?? []) : [];
      if (!end || rows.length === 0) throw ApiProblem.notFound(`SKU '${sku}' has no demand history.`);
      const series = demandSeries(rows, end, frequency);
      const since = from ?? addDays(end, -365);
      const history = seriesPeriods(series, frequency)
        .map((period, i) => ({ period, quantity: series.values[i] }))
        .filter((p) => p.period >= since);
      const [latest] = await m.query(
        `select r.run_id, r.class, r.method, r.points from forecast_results r
           join forecast_runs run on run.run_id = r.run_id
          where r.sku = $1 and r.status = 'succeeded' and run.kind = 'forecast' and run.frequency = $2
          order by run.created_at desc limit 1`,
        [sku, frequency],
      );
      return {
        sku,
        frequency,
        history,
        forecast: latest
          ? { runId: latest.run_id, class: latest.class, method: latest.method, points: latest.points }
          : null,
      };
    });
  }
}
