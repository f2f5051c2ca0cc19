/**
 * Cross-check of the exact Markov credits against ChannelAttribution's own method: simulate walks on
 * the fitted chain and credit every channel visited by a converting walk (its `W_markov_model_1`),
 * the conversion value drawn from the values of the paths that end in the walk's last state.
 * The chain is rebuilt here from strings, independently of the library's typed-array code.
 *
 *   swc libs/domain/attribution tools/bench/attribution -d dist --quiet
 *   node dist/tools/bench/attribution/simulation-check.js --paths FILE [--order 1] [--walks 2000000] [--seed 1]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  markovCredits,
  mulberry32,
  parsePathData,
  pathTableToRecords,
  pathTotals,
} from '@sextant/domain/attribution';

const { values: args } = parseArgs({
  options: {
    paths: { type: 'string', default: '/work/shared/datasets/attribution/channelattribution-paths.csv' },
    order: { type: 'string', default: '1' },
    walks: { type: 'string', default: '2000000' },
    seed: { type: 'string', default: '1' },
  },
});
const order = Number(args.order);
const walks = Number(args.walks);

const table = parsePathData(readFileSync(args.paths!, 'utf8'));
const records = pathTableToRecords(table);
const totals = pathTotals(table);

// Chain from strings: states are windows of `order` channels, repeats merged, as ChannelAttribution.
const transitions = new Map<string, Map<string, number>>();
const endValues = new Map<string, { value: number; weight: number }[]>();
const count = (from: string, to: string, weight: number) => {
  if (weight === 0) return;
  const row = transitions.get(from) ?? new Map<string, number>();
  row.set(to, (row.get(to) ?? 0) + weight);
  transitions.set(from, row);
};
for (const r of records) {
  const width = Math.min(order, r.channels.length);
  const states: string[] = [];
  for (let j = 0; j + width <= r.channels.length; j++) {
    const state = r.channels.slice(j, j + width).join(' > ');
    if (states[states.length - 1] !== state) states.push(state);
  }
  let from = '(start)';
  for (const state of states) {
    count(from, state, r.conversions + r.nulls);
    from = state;
  }
  count(from, '(conversion)', r.conversions);
  count(from, '(null)', r.nulls);
  if (r.conversions > 0) {
    const list = endValues.get(from) ?? [];
    list.push({ value: r.value / r.conversions, weight: r.conversions });
    endValues.set(from, list);
  }
}

const random = mulberry32(Number(args.seed));
const draw = <T>(items: [T, number][]): T => {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let u = random() * total;
  for (const [item, w] of items) {
    u -= w;
    if (u < 0) return item;
  }
  return items[items.length - 1][0];
};
const rows = new Map([...transitions].map(([from, row]) => [from, [...row]]));
const valueDraws = new Map(
  [...endValues].map(([state, list]) => [state, list.map((v) => [v.value, v.weight] as [number, number])]),
);
const visitsInConversions = new Map<string, number>();
const valueInConversions = new Map<string, number>();
let conversions = 0;
for (let w = 0; w < walks; w++) {
  const visited = new Set<string>();
  let state = '(start)';
  let last = state;
  for (;;) {
    state = draw(rows.get(state)!);
    if (state === '(conversion)' || state === '(null)') break;
    for (const channel of state.split(' > ')) visited.add(channel);
    last = state;
  }
  if (state !== '(conversion)') continue;
  conversions++;
  const value = draw(valueDraws.get(last)!);
  for (const channel of visited) {
    visitsInConversions.set(channel, (visitsInConversions.get(channel) ?? 0) + 1);
    valueInConversions.set(channel, (valueInConversions.get(channel) ?? 0) + value);
  }
}
const sumVisits = [...visitsInConversions.values()].reduce((a, b) => a + b, 0);
const sumValue = [...valueInConversions.values()].reduce((a, b) => a + b, 0);

const exact = markovCredits(table, { order });
console.log(
  `${args.paths}: order ${order}, ${walks} simulated walks (${conversions} converted), seed ${args.seed}`,
);
console.log(
  `P(conversion): exact ${exact.conversionProbability.toFixed(6)}, simulated ${(conversions / walks).toFixed(6)}`,
);
console.log('channel    exact conv   simulated   diff%   exact value  simulated   diff%   RE exact  RE sim');
for (const channel of table.channels) {
  const e = exact.credits[channel];
  const simConversions = ((visitsInConversions.get(channel) ?? 0) / sumVisits) * totals.conversions;
  const simValue = ((valueInConversions.get(channel) ?? 0) / sumValue) * totals.value;
  const pct = (a: number, b: number) => (a === 0 ? 0 : (100 * (b - a)) / a).toFixed(2).padStart(6);
  console.log(
    `${channel.padEnd(10)} ${e.conversions.toFixed(2).padStart(10)} ${simConversions.toFixed(2).padStart(11)} ${pct(e.conversions, simConversions)}` +
      `  ${e.value.toFixed(2).padStart(11)} ${simValue.toFixed(2).padStart(11)} ${pct(e.value, simValue)}` +
      `  ${exact.removalEffects[channel].conversions.toFixed(4).padStart(8)} ${((visitsInConversions.get(channel) ?? 0) / Math.max(1, conversions)).toFixed(4).padStart(7)}`,
  );
}
