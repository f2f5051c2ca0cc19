import { Injectable } from '@nestjs/common';
import type { EventPayloads } from '@sextant/contracts';
import type { BatchEventHandlers, EventHandlers, EventSubscriber } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';
import { publishLive } from '../live/live-feed';
import { registerForDetection } from '../signals/detection-schedule';
import { MartWriter } from './mart-writer';

/** Builds staging and marts from every fact reporting reads (ARCHITECTURE.md, topic catalogue). */
@Injectable()
export class MartsConsumer implements EventSubscriber {
  /** Accepted events arrive by the thousand per second: each tenant's share of a poll at once. */
  batchEventHandlers(): BatchEventHandlers {
    return { 'ingestion.event.accepted.v1': applyAcceptedEvents };
  }

  eventHandlers(): EventHandlers {
    return {
      'ingestion.event.accepted.v1': (event, context) => applyAcceptedEvents([event], context),
      'commerce.order.recorded.v1': async (order, { manager, tenantId }) => {
        const writer = new MartWriter(manager, tenantId);
        await writer.order(order);
        await publishLive(manager, tenantId, 'kpi.changed', { source: 'orders' });
        await writer.fresh('orders', order.updatedAt);
        await registerForDetection(manager, tenantId);
      },
      'marketing.spend.recorded.v1': async (spend, { manager, tenantId }) => {
        const writer = new MartWriter(manager, tenantId);
        await writer.spend(spend);
        await publishLive(manager, tenantId, 'kpi.changed', { source: 'spend' });
        await writer.fresh('spend', spend.recordedAt);
        await registerForDetection(manager, tenantId);
      },
      'attribution.credit.computed.v1': async (credits, { manager, tenantId }) => {
        const writer = new MartWriter(manager, tenantId);
        await writer.credits(credits);
        await publishLive(manager, tenantId, 'kpi.changed', { source: 'credits' });
        await writer.fresh('credits', credits.computedAt);
        await registerForDetection(manager, tenantId);
      },
      'attribution.run.completed.v1': async (run, { manager, tenantId }) => {
        await recordRun(
          manager,
          tenantId,
          run.runId,
          `attribution:${run.model}`,
          run.status,
          run.completedAt,
        );
        if (run.status === 'succeeded')
          for (const credit of run.credits)
            await manager.query(
              `insert into fct_contributions (tenant_id, run_id, channel, source, period_from, period_to, currency,
                 conversions, revenue_minor, share, roas, completed_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, null, $11) on conflict do nothing`,
              [
                tenantId,
                run.runId,
                credit.channel,
                run.model,
                run.from,
                run.to,
                run.currency,
                credit.conversions,
                credit.revenueMinor,
                run.revenueMinor ? credit.revenueMinor / run.revenueMinor : null,
                run.completedAt,
              ],
            );
        await new MartWriter(manager, tenantId).fresh('attribution_runs', run.completedAt);
      },
      'attribution.mmm-fit.completed.v1': async (fit, { manager, tenantId }) => {
        await recordRun(manager, tenantId, fit.fitId, 'mmm', fit.status, fit.completedAt);
        // A fit that did not converge must not be used (the event's own rule).
        if (fit.status === 'succeeded' && fit.converged)
          for (const channel of fit.channels)
            await manager.query(
              `insert into fct_contributions (tenant_id, run_id, channel, source, period_from, period_to, currency,
                 conversions, revenue_minor, share, roas, completed_at)
               values ($1, $2, $3, 'mmm', $4, $5, null, null, $6, $7, $8, $9) on conflict do nothing`,
              [
                tenantId,
                fit.fitId,
                channel.channel,
                fit.from,
                fit.to,
                channel.contribution.mean,
                channel.share.mean,
                channel.roas.mean,
                fit.completedAt,
              ],
            );
        await new MartWriter(manager, tenantId).fresh('mmm_fits', fit.completedAt);
      },
      'forecasting.sku-forecast.computed.v1': async (forecast, { manager, tenantId }) => {
        const points = forecast.points;
        await manager.query(
          `insert into fct_forecast (tenant_id, sku, frequency, period, run_id, method, demand_class, mean,
             lower_80, upper_80, lower_95, upper_95, cv_error, computed_at)
           select $1, $2, $3, p.period, $4, $5, $6, p.mean, p.l80, p.u80, p.l95, p.u95, $7, $8
           from unnest($9::date[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[])
             as p(period, mean, l80, u80, l95, u95)
           on conflict (tenant_id, sku, frequency, period) do update set run_id = excluded.run_id,
             method = excluded.method, demand_class = excluded.demand_class, mean = excluded.mean,
             lower_80 = excluded.lower_80, upper_80 = excluded.upper_80, lower_95 = excluded.lower_95,
             upper_95 = excluded.upper_95, cv_error = excluded.cv_error, computed_at = excluded.computed_at
             where fct_forecast.computed_at <= excluded.computed_at`,
          [
            tenantId,
            forecast.sku,
            forecast.frequency,
            forecast.runId,
            forecast.method,
            forecast.class,
            forecast.cvError,
            forecast.computedAt,
            points.map((p) => p.period),
            points.map((p) => p.mean),
            points.map((p) => p.intervals['80']?.lower ?? null),
            points.map((p) => p.intervals['80']?.upper ?? null),
            points.map((p) => p.intervals['95']?.lower ?? null),
            points.map((p) => p.intervals['95']?.upper ?? null),
          ],
        );
        const today = forecast.computedAt.slice(0, 10);
        await manager.query(
          `insert into dim_sku (tenant_id, sku, demand_class, first_seen, last_seen) values ($1, $2, $3, $4, $4)
           on conflict (tenant_id, sku) do update set demand_class = excluded.demand_class`,
          [tenantId, forecast.sku, forecast.class, today],
        );
        await new MartWriter(manager, tenantId).fresh('forecasts', forecast.computedAt);
      },
      'forecasting.run.completed.v1': async (run, { manager, tenantId }) => {
        await recordRun(manager, tenantId, run.runId, 'forecasting', run.status, run.completedAt);
        await new MartWriter(manager, tenantId).fresh('forecast_runs', run.completedAt);
      },
      'auth.member.changed.v1': async (change, { manager, tenantId }) => {
        await manager.query(
          `insert into members (tenant_id, user_id, role, active, changed_at) values ($1, $2, $3, $4, $5)
           on conflict (tenant_id, user_id) do update set role = excluded.role, active = excluded.active,
             changed_at = excluded.changed_at where members.changed_at <= excluded.changed_at`,
          [tenantId, change.userId, change.role, change.change !== 'removed', change.changedAt],
        );
      },
    };
  }
}

async function recordRun(
  manager: import('typeorm').EntityManager,
  tenantId: string,
  runId: string,
  kind: string,
  status: string,
  completedAt: string,
) {
  await publishLive(manager, tenantId, 'run.completed', { runId, kind, status, completedAt });
  await manager.query(
    `insert into fct_runs (tenant_id, run_id, kind, status, completed_at) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, run_id) do update set status = excluded.status, completed_at = excluded.completed_at`,
    [tenantId, runId, kind, status, completedAt],
  );
}

/** Traffic and source volume of accepted events, the events source's freshness, detection due. */
async function applyAcceptedEvents(
  events: EventPayloads['ingestion.event.accepted.v1'][],
  { manager, tenantId }: { manager: EntityManager; tenantId: string },
): Promise<void> {
  const writer = new MartWriter(manager, tenantId);
  await writer.events(events);
  const newest = events.reduce(
    (a, e) => (Date.parse(e.timestamp) > Date.parse(a) ? e.timestamp : a),
    events[0].timestamp,
  );
  await writer.fresh('events', newest, events.length);
  await registerForDetection(manager, tenantId);
}
