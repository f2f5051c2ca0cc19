import { isConstant } from '../numeric';
import { EtsFit, EtsFitOptions, fitEtsModel, etsModelName } from './ets-fit';
import { EtsComponents, ErrorType, SeasonType, TrendType } from './ets-recursions';

/**
 * Automatic ETS model selection as R forecast's `ets(y)` with its defaults: every admissible
 * combination of error (A, M), trend (N, A, Ad; M and Md with `allowMultiplicativeTrend`) and
 * season (N, A, M) is fitted and the one with the smallest AICc kept (ties: the first in R's
 * order). Restrictions as R's `restrict = TRUE`: no additive error with a multiplicative trend or
 * season, no multiplicative error with a multiplicative trend and additive season; no
 * multiplicative error on data with zeros or negative values (so, with the two rules above, no
 * multiplicative component at all there); no season when m = 1, m > 24 or the series is not
 * longer than m. A constant series gets R's answer: the constant, with zero-width intervals. Hyndman, Koehler, Snyder and Grose (2002), IJF 18(3).
 */
export interface AutoEtsOptions extends EtsFitOptions {
  /** Restrict the search to models with these components (undefined: all). */
  error?: ErrorType;
  trend?: TrendType;
  season?: SeasonType;
  damped?: boolean;
  allowMultiplicativeTrend?: boolean;
  additiveOnly?: boolean;
  /** true: only seasonal models; false: only non-seasonal ones (undefined: both, as R). */
  seasonal?: boolean;
  /** false: trend models only in their damped form (default true, as R). */
  undampedTrend?: boolean;
  /** Information criterion used to choose (R's default: AICc). */
  ic?: 'aicc' | 'aic' | 'bic';
}

export class EtsFitError extends Error {}

export interface AutoEtsResult {
  fit: EtsFit;
  name: string;
  /** Criterion value of every model that could be fitted, by model name. */
  candidates: Record<string, number>;
}

/** Too little data for R to optimise anything (R then falls back to Holt-Winters; we refuse). */
const MIN_LENGTH = 7;

export function autoEts(y: readonly number[], m: number, options: AutoEtsOptions = {}): AutoEtsResult {
  for (const value of y) if (!Number.isFinite(value)) throw new EtsFitError('ETS needs finite values');
  if (y.length < MIN_LENGTH)
    throw new EtsFitError(`ETS needs at least ${MIN_LENGTH} observations, got ${y.length}`);
  if (isConstant(y)) {
    // R: ses(y, alpha = 0.99999, initial = "simple"): the forecast is the constant, no uncertainty.
    const components: EtsComponents = { error: 'A', trend: 'N', season: 'N', damped: false };
    const fit: EtsFit = {
      components,
      period: 1,
      params: { alpha: 0.99999, beta: 0, gamma: 0, phi: 1 },
      initialState: [y[0]],
      finalState: [y[0]],
      residuals: y.map(() => 0),
      fitted: [...y],
      lik: -Infinity,
      logLik: Infinity,
      aic: -Infinity,
      aicc: -Infinity,
      bic: -Infinity,
      mse: 0,
      sigma2: 0,
      parameterCount: 1,
      evaluations: 0,
    };
    return { fit, name: etsModelName(components), candidates: {} };
  }
  const seasonal = m > 1 && m <= 24 && y.length > m;
  const positive = Math.min(...y) > 0;
  const errors: ErrorType[] = options.error ? [options.error] : ['A', 'M'];
  const trends: TrendType[] = options.trend
    ? [options.trend]
    : options.allowMultiplicativeTrend
      ? ['N', 'A', 'M']
      : ['N', 'A'];
  let seasons: SeasonType[] = !seasonal ? ['N'] : options.season ? [options.season] : ['N', 'A', 'M'];
  if (seasonal && options.seasonal !== undefined) {
    const wanted = seasons.filter((s) => (s !== 'N') === options.seasonal);
    if (wanted.length > 0) seasons = wanted;
  }
  const dampings = options.damped === undefined ? [true, false] : [options.damped];
  const ic = options.ic ?? 'aicc';
  const candidates: Record<string, number> = {};
  let best: EtsFit | undefined;
  let bestIc = Infinity;
  for (const error of errors)
    for (const trend of trends)
      for (const season of seasons)
        for (const damped of dampings) {
          if (trend === 'N' && damped) continue;
          if (trend !== 'N' && !damped && options.undampedTrend === false) continue;
          if (error === 'A' && (trend === 'M' || season === 'M')) continue;
          if (error === 'M' && trend === 'M' && season === 'A') continue;
          if (options.additiveOnly && (error === 'M' || trend === 'M' || season === 'M')) continue;
          if (!positive && error === 'M') continue;
          const components: EtsComponents = { error, trend, season, damped };
          let fit: EtsFit | undefined;
          try {
            fit = fitEtsModel(y, components, m, options);
          } catch {
            fit = undefined;
          }
          if (!fit) continue;
          const value = fit[ic];
          if (Number.isNaN(value)) continue;
          candidates[etsModelName(components)] = value;
          if (value < bestIc) {
            best = fit;
            bestIc = value;
          }
        }
  if (!best) throw new EtsFitError('no ETS model could be fitted');
  return { fit: best, name: etsModelName(best.components), candidates };
}
