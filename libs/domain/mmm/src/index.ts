export { fitMmm, summariseFit, steadyStateContribution } from './fit';
export type {
  ChannelResult,
  FitOptions,
  FitQuality,
  MmmDiagnostics,
  MmmFit,
  MmmResults,
  ParameterSummary,
  ResponseDraws,
} from './fit';
export { defaultPriors, resolveConfig } from './config';
export type {
  ChannelEffect,
  ChannelPriors,
  Likelihood,
  LiftTest,
  MmmConfig,
  MmmConfigInput,
  MmmData,
  MmmPriors,
} from './config';
export type { Prior } from './priors';
export type { AdstockKind, SaturationKind } from './transforms';
export { adstockWeights, saturate, saturationValue } from './transforms';
export { MmmModel } from './model';
export type { LogDensity } from './model';
export { runChain, NutsSampler } from './nuts';
export type { ChainResult, NutsOptions } from './nuts';
export { DEFAULT_SAMPLING, FitCancelledError } from './chains';
export type { SamplingOptions } from './chains';
export { diagnose, essBulk, essTail, rhat, ebfmi } from './diagnostics';
export { estimate, hdi, HDI_PROBABILITY } from './summary';
export type { Band, Estimate } from './summary';
export { MIN_WEEKS, MmmInputError, validateInput, WEEKS_PER_PARAMETER } from './validation';
export type { MmmInputErrorCode } from './validation';
export { simulateMmm } from './simulator';
export type { SimulatedMmm, SimulationOptions } from './simulator';
export { optimiseBudget } from './optimizer';
export type { BudgetOptions, BudgetPlan } from './optimizer';
export { Random } from './rng';
