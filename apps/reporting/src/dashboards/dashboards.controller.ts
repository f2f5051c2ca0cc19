import { Controller, Get, Query } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import type { RuleBasedModel } from '../marts/mart-writer';
import { DashboardsService } from './dashboards.service';
import { intParam } from './query-params';

type Ops = reportingApi.operations;
type QueryOf<K extends keyof Ops> = Ops[K] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never;

@Controller('api/v1/reporting')
export class DashboardsController {
  constructor(private readonly dashboards: DashboardsService) {}

  @Get('overview')
  @RequirePermissions('reports:read')
  overview(@CurrentIdentity() identity: VerifiedIdentity, @Query() q: QueryOf<'getOverview'>) {
    return this.dashboards.overview(identity.tenantId, { ...q, model: model(q.model) });
  }

  @Get('channels')
  @RequirePermissions('reports:read')
  channels(@CurrentIdentity() identity: VerifiedIdentity, @Query() q: QueryOf<'listChannelPerformance'>) {
    return this.dashboards.channels(identity.tenantId, {
      from: q.from,
      to: q.to,
      model: model(q.model),
      currency: q.currency,
      dimension: q.dimension ?? 'channel',
      channel: q.channel,
      sort: q.sort ?? 'revenue',
      order: q.order ?? 'desc',
      limit: intParam(q.limit, 50),
      cursor: q.cursor,
    });
  }

  @Get('timeseries')
  @RequirePermissions('reports:read')
  timeSeries(@CurrentIdentity() identity: VerifiedIdentity, @Query() q: QueryOf<'getTimeSeries'>) {
    return this.dashboards.timeSeries(identity.tenantId, {
      ...q,
      granularity: q.granularity ?? 'day',
      model: model(q.model),
    });
  }

  @Get('forecast-vs-actual')
  @RequirePermissions('reports:read')
  forecastVsActual(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Query() q: QueryOf<'getForecastVsActual'>,
  ) {
    return this.dashboards.forecastVsActual(identity.tenantId, {
      from: q.from,
      to: q.to,
      sku: q.sku,
      frequency: q.frequency ?? 'day',
      limit: intParam(q.limit, 50),
      cursor: q.cursor,
    });
  }

  @Get('freshness')
  @RequirePermissions('reports:read')
  freshness(@CurrentIdentity() identity: VerifiedIdentity) {
    return this.dashboards.freshness(identity.tenantId);
  }
}

const model = (value: string | undefined): RuleBasedModel => (value ?? 'last_touch') as RuleBasedModel;
