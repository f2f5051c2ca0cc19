export type { MethodName, MethodForecast, MethodContext, ForecastMethod, PredictionIntervals } from './types';
export { ForecastInputError, validateDemand, validateHorizonAndSeason, validateLevels } from './validation';
export {
  classifyDemand,
  defaultInactiveWindow,
  defaultMinHistory,
  type Classification,
  type ClassificationOptions,
  type DemandClass,
} from './classification';
export {
  forecastDemand,
  methodByName,
  DEFAULT_CANDIDATES,
  SKU_SCALE_OPTIONS,
  type DemandForecast,
  type DemandForecastOptions,
  type SelectionMetric,
} from './demand-forecaster';
export { autoEts, EtsFitError, type AutoEtsOptions, type AutoEtsResult } from './ets/auto-ets';
export { fitEtsModel, etsModelName, type EtsFit, type EtsFitOptions } from './ets/ets-fit';
export { forecastEts, type EtsForecast, type EtsForecastOptions } from './ets/ets-forecast';
export type { EtsComponents, EtsParameters, ErrorType, TrendType, SeasonType } from './ets/ets-recursions';
export { etsMethod, sesMethod } from './methods/exponential-smoothing';
export { thetaMethod, isSeasonal } from './methods/theta';
export { naiveMethod, seasonalNaiveMethod, naive2Method, zeroMethod } from './methods/naive';
export { crostonForecast, crostonMethod, sbaMethod, tsbMethod, adidaMethod } from './methods/intermittent';
export { accuracy, naiveScales, owa, smape, type AccuracyMetrics } from './metrics';
export {
  rollingOriginBacktest,
  backtestOrigins,
  type BacktestOptions,
  type BacktestWindow,
} from './backtest';
export { conformalIntervals } from './conformal';
export { simulateSkuDemand, type SimulatedSku, type SkuSimulationOptions } from './simulator';
export { SeededRandom } from './random';
export { normalQuantile } from './numeric';
