import { Inject, Injectable } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { RULE_BASED_MODELS, type RuleBasedModel } from '@sextant/domain/attribution';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import type { EntityManager } from 'typeorm';
import { journeyTouches } from '../journeys/conversions';
import { ATTRIBUTION_LIMITS, type AttributionLimits } from '../limits';
import { parsePeriod, type Period } from '../period';
import type { DataDrivenModel } from '../runs/run-computation';
import { findRun, RUN_COLUMNS, type RunRow } from '../runs/runs.service';
import { loadTenantSettings } from '../settings/tenant-settings';

type ModelName = attributionApi.components['schemas']['ModelName'];
type Credit = attributionApi.components['schemas']['Credit'];
type CreditReport = attributionApi.components['schemas']['CreditReport'];
type ModelComparison = attributionApi.components['schemas']['ModelComparison'];
type ProfileJourneys = attributionApi.components['schemas']['ProfileJourneys'];

const DATA_DRIVEN_MODELS: DataDrivenModel[] = ['markov', 'shapley', 'shapley_exact'];
const isRuleBased = (model: string): model is RuleBasedModel =>
  (RULE_BASED_MODELS as string[]).includes(model);

interface Totals {
  conversions: number;
  revenueMinor: number;
  currency: string | null;
}

/** Reads of credits: rule-based ones summed from the stored per-conversion credits, data-driven ones from runs. */
@Injectable()
export class CreditsService {
  constructor(
    private readonly transactions: Transactions,
    @Inject(ATTRIBUTION_LIMITS) private readonly limits: AttributionLimits,
  ) {}

  async credits(
    tenantId: string,
    query: { model: ModelName; from: string; to: string; groupBy?: 'channel' | 'campaign'; runId?: string },
  ): Promise<CreditReport> {
    const period = parsePeriod(query.from, query.to, this.limits.maxPeriodDays);
    const groupBy = query.groupBy ?? 'channel';
    const model = query.model;
    const base = { model, from: period.from, to: period.to, groupBy };
    return this.transactions.forTenant(tenantId, async (manager) => {
      if (isRuleBased(model))
        return {
          ...base,
          runId: null,
          ...(await ruleBasedTotals(manager, period)),
          credits: await ruleBasedCredits(manager, period, model, groupBy),
        };
      if (groupBy === 'campaign')
        throw ApiProblem.badRequest(`${model} credits channels only; use groupBy=channel.`, [
          { field: '/query/groupBy', message: 'must be channel for a data-driven model' },
        ]);
      const run = query.runId ? await findRun(manager, query.runId) : await latestRun(manager, model, period);
      if (run && (run.model !== model || run.period_from !== period.from || run.period_to !== period.to))
        throw ApiProblem.badRequest(
          `Run ${run.run_id} is a ${run.model} run over ${run.period_from}..${run.period_to}.`,
          [{ field: '/query/runId', message: 'must be a run of this model and period' }],
        );
      if (run && (run.status !== 'succeeded' || !run.result))
        throw ApiProblem.conflict(`Run ${run.run_id} has not succeeded (it is ${run.status}).`);
      if (!run?.result)
        return { ...base, runId: null, conversions: 0, revenueMinor: 0, currency: null, credits: [] };
      const { conversions, revenueMinor, currency, credits } = run.result;
      return { ...base, runId: run.run_id, conversions, revenueMinor, currency, credits };
    });
  }

  async compare(tenantId: string, from: string, to: string): Promise<ModelComparison> {
    const period = parsePeriod(from, to, this.limits.maxPeriodDays);
    return this.transactions.forTenant(tenantId, async (manager) => {
      const models: ModelComparison['models'] = [];
      for (const model of RULE_BASED_MODELS)
        models.push({
          model,
          runId: null,
          credits: await ruleBasedCredits(manager, period, model, 'channel'),
        });
      for (const model of DATA_DRIVEN_MODELS) {
        const run = await latestRun(manager, model, period);
        if (run?.result) models.push({ model, runId: run.run_id, credits: run.result.credits });
      }
      return { from: period.from, to: period.to, ...(await ruleBasedTotals(manager, period)), models };
    });
  }

  async journeys(tenantId: string, profileId: string, from: string, to: string): Promise<ProfileJourneys> {
    const period = parsePeriod(from, to, this.limits.maxPeriodDays);
    return this.transactions.forTenant(tenantId, async (manager) => {
      const [merged]: { profile_id: string }[] = await manager.query(
        `select profile_id from attribution.merged_profiles where merged_profile_id = $1`,
        [profileId],
      );
      const settings = await loadTenantSettings(manager);
      const rows: {
        order_id: string;
        profile_id: string;
        converted_at: Date;
        currency: string;
        revenue_minor: string;
        credit_revision: number;
        credits: { models?: Record<string, unknown[]> };
      }[] = await manager.query(
        `select order_id, profile_id, converted_at, currency, revenue_minor, credit_revision, credits
           from attribution.conversions
          where profile_id = $1 and converted_at >= $2 and converted_at < $3 order by converted_at desc, order_id`,
        [merged?.profile_id ?? profileId, period.start, period.end],
      );
      const journeys: ProfileJourneys['journeys'] = [];
      for (const row of rows) {
        const touches = await journeyTouches(
          manager,
          row.profile_id,
          row.converted_at,
          settings.lookbackDays,
        );
        journeys.push({
          orderId: row.order_id,
          profileId: row.profile_id,
          convertedAt: row.converted_at.toISOString(),
          currency: row.currency,
          revenueMinor: Number(row.revenue_minor),
          revision: row.credit_revision,
          touches: touches.map((t) => ({ ...t, touchedAt: t.touchedAt.toISOString() })),
          credits: (row.credits.models ?? {}) as ProfileJourneys['journeys'][number]['credits'],
        });
      }
      return { profileId, journeys };
    });
  }
}

/** Conversions with a non-empty journey in the period (the ones rule-based models credit). */
async function ruleBasedTotals(manager: EntityManager, period: Period): Promise<Totals> {
  const [row]: { conversions: string; revenue: string | null; currencies: string[] | null }[] =
    await manager.query(
      `select count(*) as conversions, sum(revenue_minor) as revenue, array_agg(distinct currency) as currencies
       from attribution.conversions where converted_at >= $1 and converted_at < $2 and touchpoints > 0`,
      [period.start, period.end],
    );
  const currencies = row.currencies ?? [];
  return {
    conversions: Number(row.conversions),
    revenueMinor: Number(row.revenue ?? 0),
    currency: currencies.length === 1 ? currencies[0] : null,
  };
}

async function ruleBasedCredits(
  manager: EntityManager,
  period: Period,
  model: RuleBasedModel,
  groupBy: 'channel' | 'campaign',
): Promise<Credit[]> {
  const byCampaign = groupBy === 'campaign';
  const rows: { channel: string; campaign: string | null; conversions: number; revenue: number }[] =
    await manager.query(
      `select credit->>'channel' as channel, ${byCampaign ? `credit->>'campaign'` : 'null'} as campaign,
              sum((credit->>'conversions')::float8) as conversions, sum((credit->>'revenueMinor')::float8) as revenue
         from attribution.conversions c
        cross join lateral jsonb_array_elements(c.credits->'models'->$3) as credit
        where c.converted_at >= $1 and c.converted_at < $2
        group by 1, 2 order by 3 desc, 1, 2`,
      [period.start, period.end, model],
    );
  return rows.map((r) => ({
    channel: r.channel,
    ...(byCampaign ? { campaign: r.campaign } : {}),
    conversions: Number(r.conversions),
    revenueMinor: Number(r.revenue),
  }));
}

async function latestRun(
  manager: EntityManager,
  model: DataDrivenModel,
  period: Period,
): Promise<RunRow | undefined> {
  const [row]: RunRow[] = await manager.query(
    `select ${RUN_COLUMNS} from attribution.runs
      where model = $1 and period_from = $2 and period_to = $3 and status = 'succeeded'
      order by completed_at desc limit 1`,
    [model, period.from, period.to],
  );
  return row;
}
