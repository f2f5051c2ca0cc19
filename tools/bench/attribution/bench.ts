/**
 * Attribution benchmark: simulated journeys, every model timed over the prepared PathTable (typed
 * arrays straight from the simulator), medians of several runs, against the plain-object baseline.
 *
 *   swc libs/domain/attribution tools/bench/attribution -d dist --quiet
 *   node --expose-gc dist/tools/bench/attribution/bench.js [--journeys 1000000] [--channels 30]
 *        [--runs 5] [--baseline-runs 3] [--orders 2,3,4] [--order-runs 3] [--seed 1]
 *
 * Timed: the model call only (state encoding, counting, solving, building the credit record).
 * Not timed: simulating the journeys, converting them to objects for the baseline.
 */
import { parseArgs } from 'node:util';
import {
  aggregatePaths,
  markovCredits,
  pathCount,
  pathTotals,
  ruleBasedCredits,
  simplifiedShapleyCredits,
  simulateJourneys,
  type ChannelCredits,
  type PathTable,
} from '@sextant/domain/attribution';
import {
  baselineMarkov,
  baselineRuleBased,
  baselineSimplifiedShapley,
  type Credits,
  type Journey,
} from './baseline';

const { values: args } = parseArgs({
  options: {
    journeys: { type: 'string', default: '1000000' },
    channels: { type: 'string', default: '30' },
    runs: { type: 'string', default: '5' },
    'baseline-runs': { type: 'string', default: '3' },
    orders: { type: 'string', default: '2,3,4' },
    'order-runs': { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
  },
});
const journeyCount = Number(args.journeys);
const channelCount = Number(args.channels);
const runs = Number(args.runs);
const baselineRuns = Number(args['baseline-runs']);
const orders = args.orders!.split(',').filter(Boolean).map(Number);
const orderRuns = Number(args['order-runs']);

const gc = (globalThis as { gc?: () => void }).gc;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `work` n times (after a GC each), returns the median milliseconds and the last result. */
function time<T>(n: number, work: () => T): { ms: number; all: number[]; result: T } {
  const all: number[] = [];
  let result!: T;
  for (let i = 0; i < n; i++) {
    gc?.();
    const start = performance.now();
    result = work();
    all.push(performance.now() - start);
  }
  return { ms: median(all), all, result };
}

function toJourneys(table: PathTable & { touchTimes: Float64Array; endTimes: Float64Array }): Journey[] {
  const journeys: Journey[] = [];
  for (let i = 0; i < pathCount(table); i++) {
    const channels: string[] = [];
    const touchTimes: number[] = [];
    for (let t = table.offsets[i]; t < table.offsets[i + 1]; t++) {
      channels.push(table.channels[table.touches[t]]);
      touchTimes.push(table.touchTimes[t]);
    }
    journeys.push({
      channels,
      touchTimes,
      endTime: table.endTimes[i],
      conversions: table.conversions[i],
      value: table.value[i],
      nulls: table.nulls[i],
    });
  }
  return journeys;
}

/** Largest difference between two credit sets, relative to the largest credit. */
function largestDifference(fast: ChannelCredits, plain: Credits): number {
  let largest = 0;
  let scale = 0;
  for (const [channel, credit] of Object.entries(fast)) {
    const other = plain.get(channel) ?? { conversions: 0, value: 0 };
    largest = Math.max(
      largest,
      Math.abs(credit.conversions - other.conversions),
      Math.abs(credit.value - other.value),
    );
    scale = Math.max(scale, Math.abs(credit.conversions), Math.abs(credit.value));
  }
  return scale > 0 ? largest / scale : largest;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const rows: string[][] = [];

const simulation = time(1, () =>
  simulateJourneys({ journeys: journeyCount, channels: channelCount, seed: Number(args.seed) }),
);
const table = simulation.result;
const totals = pathTotals(table);
console.log(
  `${journeyCount} journeys, ${channelCount} channels, ${table.touches.length} touches, ` +
    `${totals.conversions} conversions (${((100 * totals.conversions) / journeyCount).toFixed(2)}%), value ${totals.value.toFixed(2)}; ` +
    `simulated in ${fmt(simulation.ms)}; node ${process.version}; gc between runs: ${gc ? 'yes' : 'no (--expose-gc)'}`,
);

const rules = time(runs, () => ruleBasedCredits(table));
const markov1 = time(runs, () => markovCredits(table));
const markov1NoNull = time(runs, () => markovCredits(table, { useNulls: false }));
const shapley = time(runs, () => simplifiedShapleyCredits(table));
const aggregation = time(runs, () => aggregatePaths(table));
const peakAfterGoals = peakRssMb();

const higherOrders = orders.map((order) => {
  const run = time(orderRuns, () => markovCredits(table, { order }));
  return { order, run };
});
const peakAfterOrders = peakRssMb();

const journeys = toJourneys(table);
const baseRules = time(baselineRuns, () => baselineRuleBased(journeys));
const baseMarkov = time(baselineRuns, () => baselineMarkov(journeys));
const baseShapley = time(baselineRuns, () => baselineSimplifiedShapley(journeys));

const ruleDifference = Math.max(
  ...Object.entries(baseRules.result).map(([model, credits]) =>
    largestDifference(rules.result[model as keyof typeof rules.result], credits),
  ),
);
rows.push([
  'all six rule-based models',
  fmt(rules.ms),
  fmt(baseRules.ms),
  (baseRules.ms / rules.ms).toFixed(1),
  ruleDifference.toExponential(1),
]);
rows.push([
  'Markov order 1, with nulls',
  fmt(markov1.ms),
  fmt(baseMarkov.ms),
  (baseMarkov.ms / markov1.ms).toFixed(1),
  largestDifference(markov1.result.credits, baseMarkov.result).toExponential(1),
]);
rows.push(['Markov order 1, no nulls', fmt(markov1NoNull.ms), '', '', '']);
rows.push([
  'simplified Shapley',
  fmt(shapley.ms),
  fmt(baseShapley.ms),
  (baseShapley.ms / shapley.ms).toFixed(1),
  largestDifference(shapley.result, baseShapley.result).toExponential(1),
]);
rows.push([
  `aggregatePaths (${aggregation.result.conversions.length} distinct of ${journeyCount})`,
  fmt(aggregation.ms),
  '',
  '',
  '',
]);
for (const { order, run } of higherOrders) {
  rows.push([
    `Markov order ${order}, with nulls (${run.result.stateCount} states, ${run.result.transitionCount} transitions)`,
    fmt(run.ms),
    '',
    '',
    '',
  ]);
}

const header = ['model', 'median', 'baseline median', 'baseline / ours', 'max rel. difference'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
console.log(
  `runs: ${runs} (higher orders: ${orderRuns}, baseline: ${baselineRuns}); ` +
    `peak RSS: ${peakAfterGoals.toFixed(0)} MB after the order-1/rule/Shapley runs, ` +
    `${peakAfterOrders.toFixed(0)} MB after orders ${orders.join(',')}, ${peakRssMb().toFixed(0)} MB with the baseline's objects`,
);
console.log(
  'all runs (ms): ' +
    JSON.stringify({
      rules: rules.all.map(Math.round),
      markov1: markov1.all.map(Math.round),
      shapley: shapley.all.map(Math.round),
      higherOrders: Object.fromEntries(
        higherOrders.map(({ order, run }) => [order, run.all.map(Math.round)]),
      ),
    }),
);
