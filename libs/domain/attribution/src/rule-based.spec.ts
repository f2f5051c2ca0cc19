import { pathTableFromRecords } from './path-table';
import {
  attributeConversion,
  DAY_MS,
  ruleBasedCredits,
  RULE_BASED_MODELS,
  type RuleBasedModel,
} from './rule-based';
import type { ChannelCredits, Conversion } from './types';

const T0 = Date.UTC(2026, 2, 1);

/** A conversion at T0 with touches `daysBefore` days earlier. */
function conversion(touches: [channel: string, daysBefore: number][], value = 100): Conversion {
  return {
    touchpoints: touches.map(([channel, days]) => ({ channel, timestamp: T0 - days * DAY_MS })),
    conversionTime: T0,
    value,
  };
}

function shares(credits: ChannelCredits): Record<string, number> {
  return Object.fromEntries(
    Object.entries(credits).map(([channel, credit]) => [channel, credit.conversions]),
  );
}

describe('attributeConversion', () => {
  const path = conversion([
    ['search', 14],
    ['social', 7],
    ['email', 0],
  ]);

  it('time decay halves the weight every 7 days (touches 14, 7 and 0 days old: 1/7, 2/7, 4/7)', () => {
    const credits = attributeConversion('time_decay', path);
    expect(credits.search.conversions).toBeCloseTo(1 / 7, 12);
    expect(credits.social.conversions).toBeCloseTo(2 / 7, 12);
    expect(credits.email.conversions).toBeCloseTo(4 / 7, 12);
    expect(credits.email.value).toBeCloseTo(400 / 7, 10);
  });

  it("time decay: a touch 8 days before gets half the credit of a touch 1 day before (Google's example)", () => {
    const credits = attributeConversion(
      'time_decay',
      conversion([
        ['display', 8],
        ['search', 1],
      ]),
    );
    expect(credits.display.conversions / credits.search.conversions).toBeCloseTo(0.5, 12);
  });

  it('time decay honours a custom half-life', () => {
    const credits = attributeConversion('time_decay', path, { halfLifeMs: 14 * DAY_MS });
    // weights 2^-1, 2^-0.5, 1
    const total = 0.5 + Math.SQRT1_2 + 1;
    expect(credits.search.conversions).toBeCloseTo(0.5 / total, 12);
  });

  it('position based gives 40/20/40, 50/50 for two touches and 100% for one', () => {
    const four = attributeConversion(
      'position_based',
      conversion([
        ['a', 3],
        ['b', 2],
        ['c', 1],
        ['d', 0],
      ]),
    );
    expect(shares(four)).toEqual({ a: 0.4, b: 0.1, c: 0.1, d: 0.4 });
    expect(
      shares(
        attributeConversion(
          'position_based',
          conversion([
            ['a', 1],
            ['b', 0],
          ]),
        ),
      ),
    ).toEqual({ a: 0.5, b: 0.5 });
    expect(shares(attributeConversion('position_based', conversion([['a', 1]])))).toEqual({ a: 1 });
    // A channel with several touches adds them up: first and a middle touch.
    const repeated = attributeConversion(
      'position_based',
      conversion([
        ['a', 2],
        ['a', 1],
        ['b', 0],
      ]),
    );
    expect(repeated.a.conversions).toBeCloseTo(0.6, 12);
    expect(repeated.b.conversions).toBeCloseTo(0.4, 12);
  });

  it('first, last and linear', () => {
    expect(shares(attributeConversion('first_touch', path))).toEqual({ search: 1, social: 0, email: 0 });
    expect(shares(attributeConversion('last_touch', path))).toEqual({ search: 0, social: 0, email: 1 });
    const linear = attributeConversion(
      'linear',
      conversion([
        ['a', 2],
        ['b', 1],
        ['a', 0],
      ]),
    );
    expect(linear.a.conversions).toBeCloseTo(2 / 3, 12);
    expect(linear.b.value).toBeCloseTo(100 / 3, 10);
  });

  describe('direct touches (credit only when the whole path is direct)', () => {
    const withDirect = conversion([
      ['search', 3],
      ['direct', 2],
      ['email', 1],
      ['direct', 0],
    ]);

    it('are skipped by default in every model', () => {
      expect(shares(attributeConversion('last_touch', withDirect))).toEqual({
        search: 0,
        direct: 0,
        email: 1,
      });
      expect(shares(attributeConversion('linear', withDirect))).toEqual({
        search: 0.5,
        direct: 0,
        email: 0.5,
      });
      expect(shares(attributeConversion('position_based', withDirect))).toEqual({
        search: 0.5,
        direct: 0,
        email: 0.5,
      });
    });

    it('get the credit when every touch is direct', () => {
      const allDirect = conversion([
        ['direct', 1],
        ['direct', 0],
      ]);
      for (const model of RULE_BASED_MODELS)
        expect(attributeConversion(model, allDirect).direct.conversions).toBeCloseTo(1, 12);
    });

    it('count when the rule is switched off, except for last non-direct', () => {
      const options = { creditDirectOnlyWhenAllDirect: false };
      expect(shares(attributeConversion('last_touch', withDirect, options))).toEqual({
        search: 0,
        direct: 1,
        email: 0,
      });
      expect(shares(attributeConversion('last_non_direct', withDirect, options))).toEqual({
        search: 0,
        direct: 0,
        email: 1,
      });
      expect(attributeConversion('linear', withDirect, options).direct.conversions).toBeCloseTo(0.5, 12);
    });

    it('uses the configured direct channel names', () => {
      const credits = attributeConversion(
        'last_touch',
        conversion([
          ['search', 1],
          ['(none)', 0],
        ]),
        { directChannels: ['(none)'] },
      );
      expect(shares(credits)).toEqual({ search: 1, '(none)': 0 });
    });
  });

  it('orders touches by time', () => {
    const shuffled = conversion([
      ['email', 0],
      ['search', 14],
      ['social', 7],
    ]);
    for (const model of RULE_BASED_MODELS)
      expect(attributeConversion(model, shuffled)).toEqual(attributeConversion(model, path));
  });

  it('rejects a conversion without touches', () => {
    expect(() => attributeConversion('linear', { touchpoints: [], conversionTime: T0, value: 1 })).toThrow(
      'at least one touchpoint',
    );
  });
});

describe('ruleBasedCredits', () => {
  it('on aggregated paths: ChannelAttribution heuristic semantics, weighted by conversions and value', () => {
    const table = pathTableFromRecords([
      { channels: ['a', 'b', 'a'], conversions: 3, value: 30, nulls: 5 },
      { channels: ['b'], conversions: 1, value: 7, nulls: 0 },
      { channels: ['c'], conversions: 0, value: 0, nulls: 9 },
    ]);
    const credits = ruleBasedCredits(table, ['first_touch', 'last_touch', 'linear']);
    expect(credits.first_touch).toEqual({
      a: { conversions: 3, value: 30 },
      b: { conversions: 1, value: 7 },
      c: { conversions: 0, value: 0 },
    });
    expect(credits.last_touch.a).toEqual({ conversions: 3, value: 30 });
    expect(credits.linear.a.conversions).toBeCloseTo(2, 12);
    expect(credits.linear.b.conversions).toBeCloseTo(2, 12);
    expect(credits.linear.b.value).toBeCloseTo(17, 12);
  });

  it('on paths without timestamps, time decay treats touches as pathStepMs apart', () => {
    const table = pathTableFromRecords([{ channels: ['a', 'b', 'c'], conversions: 1, value: 1, nulls: 0 }]);
    const weekly = ruleBasedCredits(table, ['time_decay'], { pathStepMs: 7 * DAY_MS }).time_decay;
    expect(weekly.a.conversions).toBeCloseTo(1 / 7, 12);
    expect(weekly.c.conversions).toBeCloseTo(4 / 7, 12);
  });

  it('on timestamped paths, agrees with attributeConversion for every model', () => {
    const conversions = [
      conversion(
        [
          ['a', 10.5],
          ['direct', 3],
          ['b', 0.2],
        ],
        40,
      ),
      conversion(
        [
          ['direct', 1],
          ['direct', 0],
        ],
        10,
      ),
      conversion(
        [
          ['c', 30],
          ['a', 20],
          ['c', 1],
          ['b', 0.5],
          ['a', 0],
        ],
        25,
      ),
    ];
    const names = ['a', 'b', 'c', 'direct'];
    const table = {
      ...pathTableFromRecords(
        conversions.map((c) => ({
          channels: c.touchpoints.map((t) => t.channel),
          conversions: 1,
          value: c.value,
          nulls: 0,
        })),
      ),
      touchTimes: Float64Array.from(conversions.flatMap((c) => c.touchpoints.map((t) => t.timestamp))),
      endTimes: Float64Array.from(conversions.map((c) => c.conversionTime)),
    };
    const byTable = ruleBasedCredits(table);
    for (const model of RULE_BASED_MODELS as RuleBasedModel[]) {
      for (const name of names) {
        const expected = conversions.reduce(
          (sum, c) => {
            const credit = attributeConversion(model, c)[name];
            return {
              conversions: sum.conversions + (credit?.conversions ?? 0),
              value: sum.value + (credit?.value ?? 0),
            };
          },
          { conversions: 0, value: 0 },
        );
        expect(byTable[model][name].conversions).toBeCloseTo(expected.conversions, 12);
        expect(byTable[model][name].value).toBeCloseTo(expected.value, 10);
      }
    }
  });
});
