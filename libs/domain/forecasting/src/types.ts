/** Lower and upper bounds per horizon step, keyed by coverage level in percent ("80", "95"). */
export type PredictionIntervals = Record<string, { lower: number[]; upper: number[] }>;

export type MethodName =
  'naive' | 'snaive' | 'ses' | 'ets' | 'theta' | 'croston' | 'sba' | 'tsb' | 'adida' | 'zero' | 'ensemble';

/** What every forecasting method returns. */
export interface MethodForecast {
  method: MethodName;
  /** Point forecasts for steps 1..horizon. */
  mean: number[];
  /** Model-based prediction intervals, for the methods that have them. */
  intervals?: PredictionIntervals;
  /** Human-readable model description, e.g. "ETS(M,Ad,M)". */
  model?: string;
}

export interface MethodContext {
  horizon: number;
  /** Seasonal period (1 for none). */
  season: number;
  /** Coverage levels in percent for model-based intervals. */
  levels: number[];
  /** Seed for anything simulated. */
  seed: number;
}

/** A forecasting method: history in, forecasts out; throws when it cannot fit the series. */
export type ForecastMethod = (history: readonly number[], context: MethodContext) => MethodForecast;
