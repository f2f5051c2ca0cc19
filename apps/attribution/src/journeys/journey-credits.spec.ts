import fc from 'fast-check';
import { DEFAULT_SETTINGS } from '../settings/tenant-settings';
import { ruleBasedJourneyCredits } from './journey-credits';

const CONVERTED_AT = new Date('2026-03-15T12:00:00Z');
const DAY = 86_400_000;

const touches = fc.array(
  fc.record({
    channel: fc.constantFrom('Direct', 'Email', 'Paid Search', 'Organic Search'),
    campaign: fc.constantFrom(null, 'spring', 'autumn'),
    daysBefore: fc.double({ min: 0, max: 30, noNaN: true }),
  }),
  { minLength: 1, maxLength: 12 },
);

describe('ruleBasedJourneyCredits', () => {
  it('gives every model credits that sum to one conversion and to the revenue (property)', () => {
    fc.assert(
      fc.property(touches, fc.integer({ min: 0, max: 1_000_000 }), (journey, revenue) => {
        const models = ruleBasedJourneyCredits(
          journey.map((t) => ({ ...t, touchedAt: new Date(CONVERTED_AT.getTime() - t.daysBefore * DAY) })),
          CONVERTED_AT,
          revenue,
          DEFAULT_SETTINGS,
        );
        for (const credits of Object.values(models)) {
          expect(credits.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(1, 10);
          expect(credits.reduce((s, c) => s + c.revenueMinor, 0)).toBeCloseTo(revenue, 4);
          const allDirect = journey.every((t) => t.channel === 'Direct');
          if (!allDirect) expect(credits.some((c) => c.channel === 'Direct')).toBe(false);
        }
      }),
    );
  });

  it('splits a channel by campaign, and credits nothing for an empty journey', () => {
    const at = (days: number) => new Date(CONVERTED_AT.getTime() - days * DAY);
    const models = ruleBasedJourneyCredits(
      [
        { channel: 'Email', campaign: 'spring', touchedAt: at(3) },
        { channel: 'Email', campaign: 'autumn', touchedAt: at(2) },
        { channel: 'Direct', campaign: null, touchedAt: at(1) },
      ],
      CONVERTED_AT,
      1_000,
      DEFAULT_SETTINGS,
    );
    expect(models.linear).toEqual([
      { channel: 'Email', campaign: 'autumn', conversions: 0.5, revenueMinor: 500 },
      { channel: 'Email', campaign: 'spring', conversions: 0.5, revenueMinor: 500 },
    ]);
    expect(models.last_touch).toEqual([
      { channel: 'Email', campaign: 'autumn', conversions: 1, revenueMinor: 1_000 },
    ]);
    const direct = ruleBasedJourneyCredits(
      [{ channel: 'Direct', campaign: null, touchedAt: at(1) }],
      CONVERTED_AT,
      1_000,
      { ...DEFAULT_SETTINGS, creditDirectOnlyWhenAllDirect: true },
    );
    expect(direct.first_touch).toEqual([
      { channel: 'Direct', campaign: null, conversions: 1, revenueMinor: 1_000 },
    ]);
    expect(Object.values(ruleBasedJourneyCredits([], CONVERTED_AT, 1_000, DEFAULT_SETTINGS)).flat()).toEqual(
      [],
    );
  });
});
