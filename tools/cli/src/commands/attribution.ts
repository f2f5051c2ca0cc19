import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  EXACT_SHAPLEY_MAX_CHANNELS,
  exactShapleyCredits,
  markovCredits,
  parsePathData,
  PathDataError,
  pathCount,
  pathTotals,
  RULE_BASED_MODELS,
  ruleBasedCredits,
  simplifiedShapleyCredits,
  type ChannelCredits,
  type MarkovResult,
  type PathTable,
  type RuleBasedModel,
} from '@sextant/domain/attribution';
import type { CliCommand } from '../command';

const MODELS = [...RULE_BASED_MODELS, 'markov', 'shapley', 'shapley_exact'] as const;
type ModelName = (typeof MODELS)[number];

const USAGE = `usage: sextant attribution --paths FILE [--model NAME|all] [--order K] [--no-null] [--format json|csv]

Attributes conversions and value to channels from a ChannelAttribution path file
(header, then lines 'a > b > c;total_conversions;total_conversion_value;total_null').

  --model    ${MODELS.join(', ')} or all (default all;
             shapley is the simplified Shapley value, shapley_exact enumerates coalitions and
             needs at most ${EXACT_SHAPLEY_MAX_CHANNELS} channels: 'all' leaves it out above that)
  --order    Markov order, 1..4 (default 1)
  --no-null  Markov chain without the non-converting paths
  --format   json (default) or csv (model,channel,conversions,value)

Path files have no timestamps: time_decay takes consecutive touches to be one day apart
(half-life 7 days). Direct touches ('direct', '(direct)') get credit in rule-based models only
when the whole path is direct.`;

const TIME_DECAY_NOTE =
  'time_decay: path files have no timestamps; consecutive touches are taken to be 1 day apart (half-life 7 days)';

class UsageError extends Error {}

interface Options {
  paths: string;
  models: ModelName[];
  order: number;
  useNulls: boolean;
  format: 'json' | 'csv';
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        paths: { type: 'string' },
        model: { type: 'string', default: 'all' },
        order: { type: 'string', default: '1' },
        'no-null': { type: 'boolean', default: false },
        format: { type: 'string', default: 'json' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (!parsed.paths) throw new UsageError('--paths FILE is required');
  const model = parsed.model!;
  if (model !== 'all' && !(MODELS as readonly string[]).includes(model)) {
    throw new UsageError(`unknown model '${model}' (expected ${MODELS.join(', ')} or all)`);
  }
  const order = Number(parsed.order);
  if (!Number.isInteger(order) || order < 1 || order > 4)
    throw new UsageError(`--order must be 1, 2, 3 or 4, got '${parsed.order}'`);
  if (parsed.format !== 'json' && parsed.format !== 'csv')
    throw new UsageError(`--format must be json or csv, got '${parsed.format}'`);
  return {
    paths: parsed.paths,
    models: model === 'all' ? [...MODELS] : [model as ModelName],
    order,
    useNulls: !parsed['no-null'],
    format: parsed.format,
  };
}

interface Report {
  totals: { conversions: number; value: number; nulls: number; paths: number };
  models: Partial<Record<ModelName, ChannelCredits>>;
  markov?: {
    order: number;
    null_paths: boolean;
    conversion_probability: number;
    expected_value: number;
    states: number;
    removal_effects: ChannelCredits;
  };
  notes: string[];
}

/** Runs the requested models on parsed paths (no I/O). */
export function attributionReport(
  table: PathTable,
  options: Pick<Options, 'models' | 'order' | 'useNulls'>,
): Report {
  const totals = pathTotals(table);
  const report: Report = {
    totals: {
      conversions: totals.conversions,
      value: totals.value,
      nulls: totals.nulls,
      paths: pathCount(table),
    },
    models: {},
    notes: [],
  };
  const ruleBased = options.models.filter((m): m is RuleBasedModel =>
    (RULE_BASED_MODELS as readonly string[]).includes(m),
  );
  const ruleCredits = ruleBasedCredits(table, ruleBased);
  for (const model of options.models) {
    if ((RULE_BASED_MODELS as readonly string[]).includes(model)) {
      report.models[model] = ruleCredits[model as RuleBasedModel];
    } else if (model === 'markov') {
      const markov: MarkovResult = markovCredits(table, { order: options.order, useNulls: options.useNulls });
      report.models.markov = markov.credits;
      report.markov = {
        order: options.order,
        null_paths: options.useNulls,
        conversion_probability: markov.conversionProbability,
        expected_value: markov.expectedValue,
        states: markov.stateCount,
        removal_effects: markov.removalEffects,
      };
    } else if (model === 'shapley') {
      report.models.shapley = simplifiedShapleyCredits(table);
    } else if (model === 'shapley_exact') {
      if (options.models.length > 1 && table.channels.length > EXACT_SHAPLEY_MAX_CHANNELS) {
        report.notes.push(
          `shapley_exact: skipped, ${table.channels.length} channels (at most ${EXACT_SHAPLEY_MAX_CHANNELS})`,
        );
      } else {
        report.models.shapley_exact = exactShapleyCredits(table);
      }
    }
  }
  if (options.models.includes('time_decay')) report.notes.push(TIME_DECAY_NOTE);
  return report;
}

function toCsv(report: Report): string {
  const lines = ['model,channel,conversions,value'];
  for (const [model, credits] of Object.entries(report.models)) {
    for (const [channel, credit] of Object.entries(credits)) {
      const name = /[",\n]/.test(channel) ? `"${channel.replace(/"/g, '""')}"` : channel;
      lines.push(`${model},${name},${credit.conversions},${credit.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const command: CliCommand = {
  summary: 'multi-touch attribution of a ChannelAttribution path file (rule-based, Markov, Shapley)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let options: Options;
    try {
      options = parseOptions(argv);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`sextant attribution: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    let text: string;
    try {
      text = readFileSync(options.paths, 'utf8');
    } catch (error) {
      process.stderr.write(
        `sextant attribution: cannot read ${options.paths}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 1;
    }
    let table: PathTable;
    try {
      table = parsePathData(text);
    } catch (error) {
      if (!(error instanceof PathDataError)) throw error;
      process.stderr.write(`sextant attribution: ${options.paths}: ${error.message}\n`);
      return 1;
    }
    let report: Report;
    try {
      report = attributionReport(table, options);
    } catch (error) {
      process.stderr.write(
        `sextant attribution: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 1;
    }
    for (const note of report.notes) process.stderr.write(`note: ${note}\n`);
    process.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : toCsv(report));
    return 0;
  },
};
