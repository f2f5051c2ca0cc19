export type { ChannelCredit, ChannelCredits, Conversion, PathRecord, PathTable, Touchpoint } from './types';
export { toChannelCredits } from './types';
export {
  aggregatePaths,
  MAX_CHANNELS,
  pathCount,
  pathTableFromRecords,
  pathTableToRecords,
  pathTotals,
} from './path-table';
export { parsePathData, PathDataError } from './parse-path-data';
export {
  attributeConversion,
  DAY_MS,
  RULE_BASED_MODELS,
  ruleBasedCredits,
  type RuleBasedModel,
  type RuleBasedOptions,
} from './rule-based';
export { markovCredits, type MarkovOptions, type MarkovResult, type MarkovTransition } from './markov';
export {
  EXACT_SHAPLEY_MAX_CHANNELS,
  exactShapleyCredits,
  simplifiedShapleyCredits,
  type ShapleyWorth,
} from './shapley';
export { mulberry32, simulateJourneys, type JourneySimulation } from './simulate-journeys';
