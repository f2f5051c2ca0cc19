import { Inject, Injectable } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import {
  type ChannelPriors,
  DEFAULT_SAMPLING,
  type MmmConfigInput,
  type MmmData,
  MmmInputError,
  type MmmPriors,
  optimiseBudget,
  resolveConfig,
  validateInput,
} from '@sextant/domain/mmm';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { eventSeries, EventSeriesError, mondayOf, weeksBetween } from './event-series';
import {
  fitCompletedEvent,
  type FitResultView,
  type FitStatusView,
  fitStatusView,
  loadResponse,
} from './fit-views';
import { MMM_SETTINGS } from './mmm.config';
import type { MmmSettings } from './mmm.config';
import { FINISHED, MmmDataset, MmmFitRecord } from './mmm.entities';
import { weeklyRevenue, weeklySpend } from './mmm.repository';

type Schemas = attributionApi.components['schemas'];
type FitRequest = Schemas['MmmFitRequest'];
type BudgetRequest = Schemas['MmmBudgetRequest'];
type BudgetPlanView = Schemas['MmmBudgetPlan'];

export interface FitSampling {
  chains: number;
  tune: number;
  draws: number;
  seed: number;
  targetAccept: number;
}

const MAX_EVENT_WEEKS = 5 * 53;

/** The marketing-mix fit use cases: create (checked, then queued as a job), read, cancel, optimise. */
@Injectable()
export class FitsService {
  constructor(
    private readonly transactions: Transactions,
    @Inject(MMM_SETTINGS) private readonly settings: MmmSettings,
  ) {}

  async create(tenantId: string, request: FitRequest): Promise<FitStatusView> {
    const { data, datasetId } = await this.input(tenantId, request.source);
    const config = configInput(request, data);
    const warnings = checked(() => validateInput(data, resolveConfig(config)));
    const sampling: FitSampling = {
      chains: DEFAULT_SAMPLING.chains,
      tune: DEFAULT_SAMPLING.tune,
      draws: DEFAULT_SAMPLING.draws,
      seed: DEFAULT_SAMPLING.seed,
      targetAccept: DEFAULT_SAMPLING.targetAccept,
      ...request.sampling,
    };
    const fitId = randomUUID();
    return this.transactions.forTenant(tenantId, async (manager) => {
      await manager.insert(MmmFitRecord, {
        tenantId,
        fitId,
        status: 'queued',
        source: datasetId ? 'dataset' : 'events',
        datasetId,
        dateFrom: data.dates[0],
        dateTo: data.dates[data.dates.length - 1],
        channels: data.channels.map((c) => c.name),
        data,
        config,
        sampling,
        progress: Array.from({ length: sampling.chains }, (_, chain) => ({
          chain,
          done: 0,
          total: sampling.tune + sampling.draws,
        })),
        warnings,
        verdict: null,
        error: null,
        diagnostics: null,
        result: null,
        response: null,
        startedAt: null,
        completedAt: null,
      });
      await addToOutbox(manager, 'attribution.mmm-job.requested.v1', {
        tenantId,
        key: fitId,
        payload: { tenantId, fitId, requestedAt: new Date().toISOString() },
      });
      return fitStatusView(await manager.findOneByOrFail(MmmFitRecord, { tenantId, fitId }));
    });
  }

  async list(tenantId: string): Promise<FitStatusView[]> {
    const fits = await this.transactions.forTenant(tenantId, (m) =>
      m.find(MmmFitRecord, {
        where: { tenantId },
        order: { createdAt: 'DESC' },
        take: 100,
        select: STATUS_COLUMNS,
      }),
    );
    return fits.map(fitStatusView);
  }

  async status(tenantId: string, fitId: string): Promise<FitStatusView> {
    return fitStatusView(await this.current(tenantId, fitId));
  }

  async cancel(tenantId: string, fitId: string): Promise<FitStatusView> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const fit = await this.locked(manager, tenantId, fitId);
      if (FINISHED.includes(fit.status))
        throw ApiProblem.conflict(`Fit ${fitId} has already ended (${fit.status}).`);
      if (fit.status === 'queued') {
        Object.assign(fit, { status: 'cancelled', completedAt: new Date() });
        await addToOutbox(manager, 'attribution.mmm-fit.completed.v1', {
          tenantId,
          key: tenantId,
          payload: fitCompletedEvent(fit, null, 'cancelled', null),
        });
      } else fit.status = 'cancelling';
      await manager.update(
        MmmFitRecord,
        { tenantId, fitId },
        { status: fit.status, completedAt: fit.completedAt },
      );
      return fitStatusView(fit);
    });
  }

  async result(tenantId: string, fitId: string): Promise<FitResultView> {
    const fit = await this.finished(tenantId, fitId, { result: true });
    return fit.result as FitResultView;
  }

  async budget(tenantId: string, fitId: string, request: BudgetRequest): Promise<BudgetPlanView> {
    const fit = await this.finished(tenantId, fitId, { response: true });
    const response = loadResponse(fit.response!);
    const unknown = [...Object.keys(request.bounds ?? {}), ...Object.keys(request.current ?? {})].filter(
      (name) => !response.channels.includes(name),
    );
    if (unknown.length) throw ApiProblem.badRequest(`Unknown channel(s) ${unknown.join(', ')} for this fit.`);
    try {
      const plan = optimiseBudget({ response }, request);
      return { ...plan, channels: plan.channels.map(({ name, ...c }) => ({ channel: name, ...c })) };
    } catch (error) {
      throw ApiProblem.badRequest(`The budget cannot be allocated: ${(error as Error).message}.`);
    }
  }

  /** The fit with `select`ed columns, once it succeeded; 409 saying why otherwise. */
  private async finished(tenantId: string, fitId: string, select: Partial<Record<keyof MmmFitRecord, true>>) {
    const fit = await this.current(tenantId, fitId, select);
    if (fit.status === 'succeeded') return fit;
    const why: Record<string, string> = {
      not_converged: `did not converge, so it has no result: ${fit.verdict}`,
      failed: `failed: ${fit.error}`,
      cancelled: 'was cancelled',
    };
    throw ApiProblem.conflict(`Fit ${fitId} ${why[fit.status] ?? `has not finished yet (${fit.status})`}.`);
  }

  /** The fit; one whose worker stopped reporting (crash, lost job) is marked failed first. */
  private async current(
    tenantId: string,
    fitId: string,
    extra: Partial<Record<keyof MmmFitRecord, true>> = {},
  ): Promise<MmmFitRecord> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const fit = await manager.findOne(MmmFitRecord, {
        where: { tenantId, fitId },
        select: { ...STATUS_COLUMNS, ...extra },
      });
      if (!fit) throw ApiProblem.notFound(`No marketing-mix fit ${fitId}.`);
      const staleMs = this.settings.MMM_FIT_STALE_SECONDS * 1000;
      if (!FINISHED.includes(fit.status) && Date.now() - fit.heartbeatAt.getTime() > staleMs) {
        const error = `the worker running this fit stopped reporting for over ${this.settings.MMM_FIT_STALE_SECONDS} s (restart or crash); create the fit again`;
        const updated = await manager.update(
          MmmFitRecord,
          { tenantId, fitId, heartbeatAt: fit.heartbeatAt },
          { status: 'failed', error, completedAt: new Date() },
        );
        if (updated.affected) {
          Object.assign(fit, { status: 'failed', error, completedAt: new Date() });
          await addToOutbox(manager, 'attribution.mmm-fit.completed.v1', {
            tenantId,
            key: tenantId,
            payload: fitCompletedEvent(fit, null, 'failed', error),
          });
        }
      }
      return fit;
    });
  }

  private async locked(manager: EntityManager, tenantId: string, fitId: string) {
    const fit = await manager.findOne(MmmFitRecord, {
      where: { tenantId, fitId },
      select: STATUS_COLUMNS,
      lock: { mode: 'pessimistic_write' },
    });
    if (!fit) throw ApiProblem.notFound(`No marketing-mix fit ${fitId}.`);
    return fit;
  }

  private async input(
    tenantId: string,
    source: FitRequest['source'],
  ): Promise<{ data: MmmData; datasetId: string | null }> {
    if ('datasetId' in source) {
      const dataset = await this.transactions.forTenant(tenantId, (m) =>
        m.findOneBy(MmmDataset, { tenantId, datasetId: source.datasetId }),
      );
      if (!dataset) throw ApiProblem.notFound(`No dataset ${source.datasetId}.`);
      return { data: dataset.data, datasetId: dataset.datasetId };
    }
    if (source.from > source.to)
      throw ApiProblem.badRequest(`'from' (${source.from}) is after 'to' (${source.to}).`);
    const weeks = weeksBetween(source.from, source.to);
    if (weeks.length > MAX_EVENT_WEEKS)
      throw ApiProblem.badRequest(
        `The period spans ${weeks.length} weeks; at most ${MAX_EVENT_WEEKS} are fitted.`,
      );
    const from = mondayOf(source.from);
    const to = weeks[weeks.length - 1];
    const lastDay = new Date(Date.parse(`${to}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
    const [spend, revenue] = await this.transactions.forTenant(tenantId, (m) =>
      Promise.all([weeklySpend(m, tenantId, from, lastDay), weeklyRevenue(m, tenantId, from, lastDay)]),
    );
    if (revenue === null)
      throw new ApiProblem(
        409,
        'revenue_unavailable',
        'Weekly revenue from conversions is not available in this deployment yet; upload a dataset instead.',
      );
    try {
      return { data: eventSeries(weeks, spend, revenue, source.channels), datasetId: null };
    } catch (error) {
      if (error instanceof EventSeriesError) throw ApiProblem.badRequest(`${error.message}.`);
      throw error;
    }
  }
}

const STATUS_COLUMNS = {
  tenantId: true,
  fitId: true,
  status: true,
  source: true,
  datasetId: true,
  dateFrom: true,
  dateTo: true,
  channels: true,
  progress: true,
  warnings: true,
  verdict: true,
  error: true,
  createdAt: true,
  startedAt: true,
  completedAt: true,
  heartbeatAt: true,
} as const;

/** The model configuration of a request; priors per channel must name channels of the data. */
function configInput(request: FitRequest, data: MmmData): MmmConfigInput {
  const { channels: perChannel, channel, ...shared } = request.priors ?? {};
  const names = data.channels.map((c) => c.name);
  const unknown = Object.keys(perChannel ?? {}).filter((name) => !names.includes(name));
  if (unknown.length)
    throw ApiProblem.badRequest(`Priors name channel(s) ${unknown.join(', ')}, which are not in the data.`, [
      { field: '/body/priors/channels', message: `unknown channel(s) ${unknown.join(', ')}` },
    ]);
  return {
    ...request.model,
    holdoutWeeks: request.holdoutWeeks ?? 0,
    liftTests: request.liftTests ?? [],
    priors: { ...shared, ...(channel ? { channel: channel as ChannelPriors } : {}) } as Partial<MmmPriors>,
    channelPriors: (perChannel ?? {}) as Record<string, Partial<ChannelPriors>>,
  };
}

/** Runs the model's input checks; their errors become 400s carrying the check's code. */
export function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof MmmInputError)
      throw new ApiProblem(400, error.code.replace(/-/g, '_'), `${error.message}.`);
    throw error;
  }
}
