import {
  aggregatePaths,
  exactShapleyCredits,
  markovCredits,
  simplifiedShapleyCredits,
  type ChannelCredits,
  type MarkovTransition,
} from '@sextant/domain/attribution';
import type { PeriodPaths } from './run-paths';

export type DataDrivenModel = 'markov' | 'shapley' | 'shapley_exact';

export interface RunOptions {
  order: number;
  includeNullPaths: boolean;
  collapseRepeats: boolean;
  worth: 'conversions' | 'conversion_rate';
}

export interface RunCredit {
  channel: string;
  conversions: number;
  revenueMinor: number;
}

/** What a succeeded run stores (the `result` column). */
export interface RunOutcome {
  conversions: number;
  revenueMinor: number;
  currency: string | null;
  paths: { converting: number; nonConverting: number };
  credits: RunCredit[];
  markov?: {
    order: number;
    conversionProbability: number;
    removalEffects: { channel: string; conversions: number; value: number }[];
    transitions: MarkovTransition[];
  };
}

const creditList = (credits: ChannelCredits): RunCredit[] =>
  Object.entries(credits)
    .map(([channel, c]) => ({ channel, conversions: c.conversions, revenueMinor: c.value }))
    .sort((a, b) => b.conversions - a.conversions || a.channel.localeCompare(b.channel));

/** Runs one data-driven model over a period's paths (the maths is the domain library's). */
export function computeRun(model: DataDrivenModel, options: RunOptions, paths: PeriodPaths): RunOutcome {
  const base = {
    conversions: paths.conversions,
    revenueMinor: paths.revenueMinor,
    currency: paths.currency,
    paths: { converting: paths.converting, nonConverting: paths.nonConverting },
  };
  if (paths.converting === 0) return { ...base, credits: [] };
  const table = aggregatePaths(paths.table);
  switch (model) {
    case 'markov': {
      const result = markovCredits(table, {
        order: options.order,
        useNulls: options.includeNullPaths,
        collapseRepeats: options.collapseRepeats,
        includeTransitions: true,
      });
      return {
        ...base,
        credits: creditList(result.credits),
        markov: {
          order: options.order,
          conversionProbability: result.conversionProbability,
          removalEffects: Object.entries(result.removalEffects).map(([channel, e]) => ({
            channel,
            conversions: e.conversions,
            value: e.value,
          })),
          transitions: result.transitions ?? [],
        },
      };
    }
    case 'shapley':
      return { ...base, credits: creditList(simplifiedShapleyCredits(table)) };
    case 'shapley_exact':
      return { ...base, credits: creditList(exactShapleyCredits(table, { worth: options.worth })) };
  }
}
