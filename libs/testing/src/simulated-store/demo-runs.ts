/**
 * The analyses a new tenant would start once its data is in, started through the public API for a
 * loaded world: a Markov attribution run, a 28-day forecast of every SKU, and a marketing-mix fit
 * on the tenant's own weekly spend and revenue when the world spans enough weeks for one.
 */
import { MIN_WEEKS, WEEKS_PER_PARAMETER } from '@sextant/domain/mmm';
import { call } from './load-world';
import { PAID_CHANNELS, type World } from './world';

export interface DemoRuns {
  attributionRunId: string;
  forecastRunId: string;
  /** Absent when the world is too short for a fit (the reason says why). */
  mmmFitId?: string;
  mmmSkipped?: string;
}

export interface DemoRunStatus {
  attribution: string;
  forecast: string;
  mmm?: string;
}

const DAY = 86_400_000;
// Intercept, noise and per paid channel an effect, one adstock and one saturation parameter.
const FIT_PARAMETERS = 2 + PAID_CHANNELS.length * 3;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The world's whole weeks (Monday to Sunday): what a weekly model can be fitted on. */
export function wholeWeeks(world: World): { from: string; to: string; weeks: number } {
  const start = world.start.getTime();
  const firstMonday = start + ((8 - new Date(start).getUTCDay()) % 7) * DAY;
  const end = start + world.days * DAY;
  const weeks = Math.max(0, Math.floor((end - firstMonday) / (7 * DAY)));
  return { from: isoDay(firstMonday), to: isoDay(firstMonday + weeks * 7 * DAY - DAY), weeks };
}

/**
 * Waits until what was sent has gone through Kafka into reporting and attribution: reporting counts
 * every order and the net revenue, and attribution's first-touch conversions stop changing. A run
 * started before would analyse a partial history.
 */
export async function waitForPipeline(
  gatewayUrl: string,
  token: string,
  world: World,
  timeoutMs = 300_000,
): Promise<void> {
  const from = isoDay(world.start.getTime());
  const to = isoDay(world.start.getTime() + (world.days - 1) * DAY);
  const deadline = Date.now() + timeoutMs;
  let previousConversions = -1;
  for (;;) {
    const overview = await call<{ kpis: { name: string; value: number }[] }>(
      gatewayUrl,
      'GET',
      `/api/v1/reporting/overview?from=${from}&to=${to}&model=first_touch&currency=${world.currency}`,
      { token },
    );
    const kpi = (name: string) => overview.kpis.find((k) => k.name === name)?.value ?? 0;
    const credits = await call<{ conversions: number }>(
      gatewayUrl,
      'GET',
      `/api/v1/attribution/credits?model=first_touch&from=${from}&to=${to}`,
      { token },
    );
    const reported =
      kpi('orders') === world.orders.length && Math.abs(kpi('revenue') - world.truth.netRevenue) < 0.01;
    if (reported && credits.conversions === previousConversions) return;
    previousConversions = credits.conversions;
    if (Date.now() > deadline) throw new Error(`the pipeline did not catch up within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
}

export async function startDemoRuns(gatewayUrl: string, token: string, world: World): Promise<DemoRuns> {
  const from = isoDay(world.start.getTime());
  const to = isoDay(world.start.getTime() + (world.days - 1) * DAY);
  const attribution = await call<{ runId: string }>(gatewayUrl, 'POST', '/api/v1/attribution/runs', {
    token,
    body: { model: 'markov', from, to },
  });
  const forecast = await call<{ runId: string }>(gatewayUrl, 'POST', '/api/v1/forecasting/runs', {
    token,
    body: { kind: 'forecast', horizon: 28, frequency: 'day' },
  });
  const runs: DemoRuns = { attributionRunId: attribution.runId, forecastRunId: forecast.runId };
  const weeks = wholeWeeks(world);
  const needed = Math.max(MIN_WEEKS, WEEKS_PER_PARAMETER * FIT_PARAMETERS);
  if (weeks.weeks < needed) {
    runs.mmmSkipped = `${weeks.weeks} whole weeks of data; a fit of ${PAID_CHANNELS.length} channels needs ${needed}`;
    return runs;
  }
  const fit = await call<{ fitId: string }>(gatewayUrl, 'POST', '/api/v1/attribution/mmm/fits', {
    token,
    body: {
      source: { from: weeks.from, to: weeks.to, channels: [...PAID_CHANNELS] },
      model: { adstock: 'geometric', saturation: 'logistic', seasonality: 0, trend: false },
    },
  });
  return { ...runs, mmmFitId: fit.fitId };
}

export async function demoRunStatus(
  gatewayUrl: string,
  token: string,
  runs: DemoRuns,
): Promise<DemoRunStatus> {
  const status = async (path: string) =>
    (await call<{ status: string }>(gatewayUrl, 'GET', path, { token })).status;
  return {
    attribution: await status(`/api/v1/attribution/runs/${runs.attributionRunId}`),
    forecast: await status(`/api/v1/forecasting/runs/${runs.forecastRunId}`),
    ...(runs.mmmFitId ? { mmm: await status(`/api/v1/attribution/mmm/fits/${runs.mmmFitId}`) } : {}),
  };
}
