import fc from 'fast-check';
import { markovCredits } from './markov';
import { pathTableFromRecords, pathTotals } from './path-table';
import { RULE_BASED_MODELS, ruleBasedCredits } from './rule-based';
import { exactShapleyCredits, simplifiedShapleyCredits } from './shapley';
import type { ChannelCredits, PathRecord, PathTable } from './types';

const CHANNELS = ['a', 'b', 'c', 'd', 'direct'];

const pathRecord = (channels: readonly string[]) =>
  fc
    .record({
      channels: fc.array(fc.constantFrom(...channels), { minLength: 1, maxLength: 6 }),
      conversions: fc.integer({ min: 0, max: 5 }),
      nulls: fc.integer({ min: 0, max: 5 }),
      valuePerConversion: fc.double({ min: 0.5, max: 100, noNaN: true }),
    })
    .map(({ channels, conversions, nulls, valuePerConversion }): PathRecord => ({
      channels,
      conversions,
      nulls,
      value: conversions * valuePerConversion,
    }));

/** Path sets with at least one conversion. */
const pathSets = (channels: readonly string[] = CHANNELS) =>
  fc
    .array(pathRecord(channels), { minLength: 1, maxLength: 12 })
    .filter((records) => records.some((r) => r.conversions > 0));

/** Every model's credits, by name. */
function allModels(table: PathTable): Record<string, ChannelCredits> {
  return {
    ...ruleBasedCredits(table, RULE_BASED_MODELS),
    markov_order_1: markovCredits(table).credits,
    markov_order_2: markovCredits(table, { order: 2 }).credits,
    markov_order_3_no_null: markovCredits(table, { order: 3, useNulls: false }).credits,
    markov_kept_repeats: markovCredits(table, { collapseRepeats: false }).credits,
    shapley: simplifiedShapleyCredits(table),
    shapley_exact: exactShapleyCredits(table),
    shapley_exact_rate: exactShapleyCredits(table, { worth: 'conversion_rate' }),
  };
}

const total = (credits: ChannelCredits, key: 'conversions' | 'value') =>
  Object.values(credits).reduce((s, c) => s + c[key], 0);

describe('properties of every model', () => {
  it('credits sum to the total conversions and value', () => {
    fc.assert(
      fc.property(pathSets(), (records) => {
        const table = pathTableFromRecords(records);
        const totals = pathTotals(table);
        for (const [model, credits] of Object.entries(allModels(table))) {
          expect([model, total(credits, 'conversions')]).toEqual([
            model,
            expect.closeTo(totals.conversions, 9),
          ]);
          expect([model, total(credits, 'value')]).toEqual([model, expect.closeTo(totals.value, 7)]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a single-channel world gives that channel everything', () => {
    fc.assert(
      fc.property(pathSets(['only']), (records) => {
        const table = pathTableFromRecords(records);
        const totals = pathTotals(table);
        for (const credits of Object.values(allModels(table))) {
          expect(credits.only.conversions).toBeCloseTo(totals.conversions, 9);
          expect(credits.only.value).toBeCloseTo(totals.value, 7);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('relabelling the channels permutes the credits', () => {
    const renaming = fc.shuffledSubarray(['p', 'q', 'r', 's', 't'], { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(pathSets(['a', 'b', 'c', 'd', 'e']), renaming, (records, names) => {
        const rename = (c: string) => names['abcde'.indexOf(c)];
        const original = allModels(pathTableFromRecords(records));
        const renamed = allModels(
          pathTableFromRecords(records.map((r) => ({ ...r, channels: r.channels.map(rename) }))),
        );
        for (const [model, credits] of Object.entries(original)) {
          for (const [channel, credit] of Object.entries(credits)) {
            expect(renamed[model][rename(channel)].conversions).toBeCloseTo(credit.conversions, 9);
            expect(renamed[model][rename(channel)].value).toBeCloseTo(credit.value, 7);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('Markov on one path type whose channels never come back equals linear over its distinct channels', () => {
    // Every walk passes through every channel of the path in order, so every removal effect is 1.
    const distinctRun = fc.shuffledSubarray(CHANNELS, { minLength: 1 }).chain((channels) =>
      fc.tuple(
        fc.constant(channels),
        fc.array(fc.integer({ min: 1, max: 3 }), {
          minLength: channels.length,
          maxLength: channels.length,
        }),
      ),
    );
    fc.assert(
      fc.property(
        distinctRun,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        ([channels, repeats], conversions, nulls, order) => {
          const path = channels.flatMap((c, i) => Array<string>(repeats[i]).fill(c));
          const table = pathTableFromRecords([
            { channels: path, conversions, nulls, value: 10 * conversions },
          ]);
          const { credits } = markovCredits(table, { order });
          for (const c of channels) {
            expect(credits[c].conversions).toBeCloseTo(conversions / channels.length, 10);
            expect(credits[c].value).toBeCloseTo((10 * conversions) / channels.length, 9);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
