import {
  accuracy,
  type AccuracyMetrics,
  backtestOrigins,
  type DemandClass,
  type DemandForecastOptions,
  forecastDemand,
  naiveScales,
  SKU_SCALE_OPTIONS,
} from '@sextant/domain/forecasting';

export interface RunSettings {
  kind: 'forecast' | 'backtest';
  horizon: number;
  season: number;
  levels: number[];
  adiCutoff: number;
  cv2Cutoff: number;
  origins: number;
}

export interface SkuOutcome {
  class: DemandClass;
  adi: number | null;
  cv2: number | null;
  method: string;
  model: string | null;
  cvError: number | null;
  forecast: number[];
  intervals: Record<string, { lower: number[]; upper: number[] }>;
  metrics: Record<keyof AccuracyMetrics, number | null> | null;
  fallback: string | null;
}

/** The library options a run uses for every SKU (the speed profile documented in the library). */
export function forecastOptions(settings: RunSettings): DemandForecastOptions {
  return {
    horizon: settings.horizon,
    season: settings.season,
    levels: settings.levels,
    classification: { adiCutoff: settings.adiCutoff, cv2Cutoff: settings.cv2Cutoff },
    ...SKU_SCALE_OPTIONS,
  };
}

const finiteOrNull = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

/**
 * One SKU of a run: the automatic forecast, or (backtest) the automatic selection re-run at
 * rolling origins and scored against what followed each origin, metrics averaged over origins.
 */
export function computeSku(values: number[], settings: RunSettings): SkuOutcome {
  const options = forecastOptions(settings);
  if (settings.kind === 'forecast') {
    const result = forecastDemand(values, options);
    return {
      class: result.class,
      adi: finiteOrNull(result.classification.adi),
      cv2: finiteOrNull(result.classification.cv2),
      method: result.method,
      model: result.model ?? null,
      cvError: cvMase(values, result.selection, result.method, settings.season),
      forecast: result.forecast,
      intervals: result.intervals,
      metrics: null,
      fallback: result.fallback ?? null,
    };
  }
  const minTrain = Math.max(2 * settings.season + 2, 10);
  const origins = backtestOrigins(values.length, settings.horizon, { origins: settings.origins, minTrain });
  if (origins.length === 0)
    throw new Error(
      `series too short for a backtest: ${values.length} periods, needs at least ${minTrain + settings.horizon}`,
    );
  const scores: AccuracyMetrics[] = [];
  let last: ReturnType<typeof forecastDemand> | undefined;
  for (const origin of origins) {
    const training = values.slice(0, origin);
    last = forecastDemand(training, options);
    scores.push(
      accuracy(values.slice(origin, origin + settings.horizon), last.forecast, training, settings.season),
    );
  }
  const metrics = Object.fromEntries(
    (Object.keys(scores[0]) as (keyof AccuracyMetrics)[]).map((name) => {
      const finite = scores.map((s) => s[name]).filter(Number.isFinite);
      return [name, finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : null];
    }),
  ) as Record<keyof AccuracyMetrics, number | null>;
  return {
    class: last!.class,
    adi: finiteOrNull(last!.classification.adi),
    cv2: finiteOrNull(last!.classification.cv2),
    method: last!.method,
    model: last!.model ?? null,
    cvError: null,
    forecast: [],
    intervals: {},
    metrics,
    fallback: last!.fallback ?? null,
  };
}

/** The chosen method's cross-validated MAE over the in-sample seasonal naive MAE (when selected by MAE). */
function cvMase(
  values: number[],
  selection: ReturnType<typeof forecastDemand>['selection'],
  method: string,
  season: number,
): number | null {
  if (!selection || selection.metric !== 'mae') return null;
  const score = selection.scores[method as keyof typeof selection.scores];
  const first = values.findIndex((v) => v > 0);
  const history = values.slice(Math.max(first, 0)).slice(-(SKU_SCALE_OPTIONS.maxHistory ?? values.length));
  return finiteOrNull(score === undefined ? undefined : score / naiveScales(history, season).mae);
}
