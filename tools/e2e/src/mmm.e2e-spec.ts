import { type attributionApi, type EventPayloads, gatewayOpenApiDocument } from '@sextant/contracts';
import type { Consumer } from 'kafkajs';
import { simulateMmm } from '@sextant/domain/mmm';
import {
  ContractClient,
  testKafka,
  eventually,
  type RunningStack,
  type SignedUpOwner,
  signUp,
  startStack,
  testEnvironment,
} from '@sextant/testing';
import { randomUUID } from 'node:crypto';

type Schemas = attributionApi.components['schemas'];
type Dataset = Schemas['MmmDataset'];
type FitStatus = Schemas['MmmFitStatus'];
type FitResult = Schemas['MmmFitResult'];
type FitCompleted = EventPayloads['attribution.mmm-fit.completed.v1'];
type Problem = { code: string; detail: string; errors?: { field: string }[] };

const DATASETS = '/api/v1/attribution/mmm/datasets';
const FITS = '/api/v1/attribution/mmm/fits';
const FIT = '/api/v1/attribution/mmm/fits/{fitId}';
const ENDED = ['succeeded', 'not_converged', 'failed', 'cancelled'];

/** A CSV with a header line from columns of equal length. */
function csv(columns: Record<string, (string | number)[]>): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]].map((_, i) => names.map((n) => columns[n][i]).join(','));
  return [names.join(','), ...rows].join('\n');
}

describe('marketing-mix fits through the gateway (real processes, PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  // A well-identified two-channel case: two years of weekly data from the documented simulator.
  const simulated = simulateMmm({ weeks: 104, channels: 2, seed: 11 });
  const { data } = simulated;
  const simulatedCsv = csv({
    week: data.dates,
    revenue: data.target,
    [data.channels[0].name]: data.channels[0].spend,
    [data.channels[1].name]: data.channels[1].spend,
  });
  const roles = {
    name: 'simulated',
    dateColumn: 'week',
    targetColumn: 'revenue',
    channelColumns: data.channels.map((c) => c.name).join(','),
  };
  let stack: RunningStack;
  let api: ContractClient;
  let owner: SignedUpOwner;
  let dataset: Dataset;
  let completions: Consumer;
  const completed: FitCompleted[] = [];
  const completedEvent = (fitId: string) =>
    eventually(async () => completed.find((event) => event.fitId === fitId), 30_000, 200);

  const upload = (text: string, query: Record<string, string> = roles, as = owner) =>
    api.request<Dataset & Problem>('POST', DATASETS, {
      rawBody: text,
      query,
      headers: { 'content-type': 'text/csv', ...as.headers },
    });
  const createFit = (body: unknown, as = owner) =>
    api.request<FitStatus & Problem>('POST', FITS, { body, headers: as.headers });
  const status = (fitId: string, as = owner) =>
    api.request<FitStatus & Problem>('GET', FIT, { params: { fitId }, headers: as.headers });
  const ended = (fitId: string) =>
    eventually(
      async () => {
        const fit = (await status(fitId)).body;
        return ENDED.includes(fit.status) ? fit : undefined;
      },
      90_000,
      250,
    );

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'attribution', 'gateway'], {}, { readyTimeoutMs: 180_000 });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    completions = testKafka(env.brokers, 'mmm-e2e').consumer({
      groupId: `${env.topicPrefix}mmm-e2e-${randomUUID()}`,
    });
    await completions.connect();
    await completions.subscribe({
      topic: `${env.topicPrefix}attribution.mmm-fit.completed.v1`,
      fromBeginning: true,
    });
    await completions.run({
      eachMessage: async ({ message }) => void completed.push(JSON.parse(message.value!.toString('utf8'))),
    });
    owner = await signUp(stack.urls.gateway, 'Mix shop');
    const uploaded = await upload(simulatedCsv);
    expect(uploaded.status).toBe(201);
    dataset = uploaded.body;
  }, 240_000);
  afterAll(async () => {
    await completions?.disconnect();
    await stack?.stop();
  });

  it('fits an uploaded CSV: progress per chain, ROI HDIs holding the true ROI, the budget optimiser', async () => {
    expect(dataset).toMatchObject({ weeks: 104, from: data.dates[0], channels: ['channel_1', 'channel_2'] });
    const created = await createFit({
      source: { datasetId: dataset.datasetId },
      model: { adstock: 'geometric', saturation: 'logistic', maxLag: 8 },
      sampling: { chains: 4, tune: 500, draws: 500, seed: 7 },
      holdoutWeeks: 8,
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('queued');
    expect(created.body.progress).toEqual([0, 1, 2, 3].map((chain) => ({ chain, done: 0, total: 1000 })));

    const fit = await ended(created.body.fitId);
    expect(fit.status).toBe('succeeded');
    expect(fit.verdict).toBe('converged');
    expect(fit.progress.every((p) => p.done === p.total)).toBe(true);
    expect(Date.parse(fit.completedAt!)).toBeGreaterThanOrEqual(Date.parse(fit.startedAt!));

    const result = await api.request<FitResult>('GET', `${FIT}/result`, {
      params: { fitId: fit.fitId },
      headers: owner.headers,
    });
    expect(result.status).toBe(200);
    const { diagnostics, channels } = result.body;
    expect(diagnostics.converged).toBe(true);
    expect(diagnostics.rhatMax).toBeLessThan(1.01);
    expect(diagnostics.divergences).toBe(0);
    for (const truth of simulated.truth.channels) {
      const estimate = channels.find((c) => c.channel === truth.name)!;
      expect(estimate.roas.hdiLow).toBeLessThanOrEqual(truth.roi);
      expect(estimate.roas.hdiHigh).toBeGreaterThanOrEqual(truth.roi);
      expect(estimate.contributionOverTime.mean).toHaveLength(104);
    }
    expect(channels.reduce((sum, c) => sum + c.share.mean, 0)).toBeCloseTo(1, 6);
    expect(result.body.holdout?.weeks).toBe(8);

    const plan = await api.request<Schemas['MmmBudgetPlan']>('POST', `${FIT}/budget`, {
      params: { fitId: fit.fitId },
      body: { relativeBound: 0.2 },
      headers: owner.headers,
    });
    expect(plan.status).toBe(200);
    const allocated = plan.body.channels.reduce((sum, c) => sum + c.optimal, 0);
    expect(allocated).toBeCloseTo(plan.body.budget, 3);
    for (const c of plan.body.channels) {
      expect(c.optimal).toBeGreaterThanOrEqual(c.lower - 1e-6);
      expect(c.optimal).toBeLessThanOrEqual(c.upper + 1e-6);
    }
    expect(plan.body.expectedContribution.optimal).toBeGreaterThanOrEqual(
      plan.body.expectedContribution.current - 1e-9,
    );

    const event = await completedEvent(fit.fitId);
    expect(event).toMatchObject({ tenantId: owner.tenantId, status: 'succeeded', converged: true });
    expect(event.channels.map((c) => c.roas)).toEqual(
      channels.map(({ roas }) => ({ mean: roas.mean, hdiLow: roas.hdiLow, hdiHigh: roas.hdiHigh })),
    );

    const listed = await api.request<{ items: FitStatus[] }>('GET', FITS, { headers: owner.headers });
    expect(listed.body.items.map((f) => f.fitId)).toContain(fit.fitId);
  }, 120_000);

  it('reports a fit that did not converge as such, without a result', async () => {
    const created = await createFit({
      source: { datasetId: dataset.datasetId },
      sampling: { chains: 2, tune: 15, draws: 20, seed: 1 },
    });
    const fit = await ended(created.body.fitId);
    expect(fit.status).toBe('not_converged');
    expect(fit.verdict).toMatch(/^not converged: /);
    const event = await completedEvent(fit.fitId);
    expect(event).toMatchObject({ status: 'failed', converged: false, channels: [], error: fit.verdict });
    const result = await api.request<Problem>('GET', `${FIT}/result`, {
      params: { fitId: fit.fitId },
      headers: owner.headers,
    });
    expect(result.status).toBe(409);
    expect(result.body.detail).toMatch(/did not converge/);
    const budget = await api.request('POST', `${FIT}/budget`, {
      params: { fitId: fit.fitId },
      body: {},
      headers: owner.headers,
    });
    expect(budget.status).toBe(409);
  }, 120_000);

  it('rejects bad input with problem+json naming the problem', async () => {
    const bad = (change: (spend: number[], target: number[], dates: string[]) => void) => {
      const spend = [...data.channels[0].spend];
      const target = [...data.target];
      const dates = [...data.dates];
      change(spend, target, dates);
      return csv({ week: dates, revenue: target, channel_1: spend, channel_2: data.channels[1].spend });
    };
    const cases: [string, string][] = [
      [bad((s) => (s[10] = -5)), 'negative_spend'],
      [bad((s) => s.fill(0)), 'zero_spend_channel'],
      [bad((_s, t) => (t[3] = Number.NaN)), 'not_finite'],
      [bad((s) => ((s as unknown as string[])[4] = 'Infinity')), 'not_finite'],
      [
        bad((_s, _t, d) => d.splice(20, 1))
          .split('\n')
          .slice(0, 100)
          .join('\n'),
        'missing_weeks',
      ],
      [bad((s, t, d) => (s.splice(20), t.splice(20), d.splice(20))), 'too_few_weeks'],
    ];
    for (const [text, code] of cases) {
      const response = await upload(text);
      expect({ code, status: response.status }).toEqual({ code: response.body.code, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const noRoles = await upload(simulatedCsv, { name: 'x' });
    expect(noRoles.status).toBe(400);
    expect(noRoles.body.errors?.map((e) => e.field)).toEqual([
      '/query/dateColumn',
      '/query/targetColumn',
      '/query/channelColumns',
    ]);
    const noColumn = await upload(simulatedCsv, { ...roles, channelColumns: 'channel_1,radio' });
    expect(noColumn.status).toBe(400);
    expect(noColumn.body.detail).toMatch(/'radio' is not in the data/);

    const collinear = await api.request<Dataset>('POST', DATASETS, {
      body: {
        name: 'collinear',
        dateColumn: 'week',
        targetColumn: 'revenue',
        channelColumns: ['a', 'b'],
        rows: data.dates.map((week, t) => ({
          week,
          revenue: data.target[t],
          a: data.channels[0].spend[t],
          b: 2 * data.channels[0].spend[t],
        })),
      },
      headers: owner.headers,
    });
    expect(collinear.status).toBe(201);
    expect(collinear.body.warnings.join(' ')).toMatch(/collinear/);

    const unknownDataset = await createFit({ source: { datasetId: randomUUID() } });
    expect(unknownDataset.status).toBe(404);
    const unknownPrior = await createFit({
      source: { datasetId: dataset.datasetId },
      priors: { channels: { radio: { roi: { dist: 'logNormal', mu: 0, sigma: 1 } } } },
    });
    expect(unknownPrior.status).toBe(400);
    expect(unknownPrior.body.errors?.[0].field).toBe('/body/priors/channels');
    const badLiftTest = await createFit({
      source: { datasetId: dataset.datasetId },
      liftTests: [{ channel: 'radio', start: data.dates[3], end: data.dates[6], lift: 100, stdError: 10 }],
    });
    expect(badLiftTest.body.code).toBe('bad_lift_test');
    const badChains = await createFit({ source: { datasetId: dataset.datasetId }, sampling: { chains: 0 } });
    expect(badChains.body.errors?.[0].field).toBe('/body/sampling/chains');
    const anonymous = await api.request('GET', FITS);
    expect(anonymous.status).toBe(401);
  });

  it("keeps tenants apart: another tenant sees none of this tenant's datasets or fits", async () => {
    const stranger = await signUp(stack.urls.gateway, 'Other shop');
    const fits = await api.request<{ items: FitStatus[] }>('GET', FITS, { headers: owner.headers });
    const fitId = fits.body.items[0].fitId;
    expect((await status(fitId, stranger)).status).toBe(404);
    const result = await api.request('GET', `${FIT}/result`, {
      params: { fitId },
      headers: stranger.headers,
    });
    expect(result.status).toBe(404);
    const cancel = await api.request('POST', `${FIT}/cancel`, {
      params: { fitId },
      headers: stranger.headers,
    });
    expect(cancel.status).toBe(404);
    const datasets = await api.request<{ items: Dataset[] }>('GET', DATASETS, { headers: stranger.headers });
    expect(datasets.body.items).toEqual([]);
    const theirFits = await api.request<{ items: FitStatus[] }>('GET', FITS, { headers: stranger.headers });
    expect(theirFits.body.items).toEqual([]);
    const borrowed = await createFit({ source: { datasetId: dataset.datasetId } }, stranger);
    expect(borrowed.status).toBe(404);
  });

  it('cancels a running fit: its chains stop and it ends cancelled', async () => {
    const created = await createFit({
      source: { datasetId: dataset.datasetId },
      sampling: { chains: 2, tune: 5000, draws: 5000, seed: 3 },
    });
    await eventually(
      async () => {
        const fit = (await status(created.body.fitId)).body;
        return fit.status === 'running' && fit.progress.some((p) => p.done > 0) ? fit : undefined;
      },
      60_000,
      200,
    );
    const cancel = await api.request<FitStatus>('POST', `${FIT}/cancel`, {
      params: { fitId: created.body.fitId },
      headers: owner.headers,
    });
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('cancelling');
    const fit = await ended(created.body.fitId);
    expect(fit.status).toBe('cancelled');
    expect(await completedEvent(fit.fitId)).toMatchObject({ status: 'cancelled', converged: false });
    expect(fit.progress.every((p) => p.done < p.total)).toBe(true);
    const again = await api.request<Problem>('POST', `${FIT}/cancel`, {
      params: { fitId: fit.fitId },
      headers: owner.headers,
    });
    expect(again.status).toBe(409);
    const result = await api.request<Problem>('GET', `${FIT}/result`, {
      params: { fitId: fit.fitId },
      headers: owner.headers,
    });
    expect(result.body.detail).toMatch(/was cancelled/);
  }, 120_000);
});
