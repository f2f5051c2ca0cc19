import { resolveConfig } from './config';
import { simulateMmm } from './simulator';
import { MmmInputError, validateInput } from './validation';

describe('input validation', () => {
  const { data } = simulateMmm({ weeks: 104, channels: 2, seed: 9 });
  const config = resolveConfig();
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return error instanceof MmmInputError ? error.code : 'other';
    }
    return 'none';
  };
  const withSpend = (k: number, spend: number[]) => ({
    ...data,
    channels: data.channels.map((c, i) => (i === k ? { ...c, spend } : c)),
  });

  it('accepts clean data without warnings', () => {
    expect(validateInput(data, config)).toEqual([]);
  });

  it('rejects too few weeks for the parameters', () => {
    const short = {
      dates: data.dates.slice(0, 20),
      target: data.target.slice(0, 20),
      channels: data.channels.map((c) => ({ ...c, spend: c.spend.slice(0, 20) })),
    };
    expect(code(() => validateInput(short, config))).toBe('too-few-weeks');
    // 2 channels x 4 + 7 = 15 parameters need 30 weeks; 8 channels need 78.
    const eight = simulateMmm({ weeks: 60, channels: 8, seed: 1 }).data;
    expect(code(() => validateInput(eight, config))).toBe('too-few-weeks');
  });

  it('rejects a channel with all-zero spend, negative spend, NaN and Inf', () => {
    expect(
      code(() =>
        validateInput(
          withSpend(
            1,
            data.channels[1].spend.map(() => 0),
          ),
          config,
        ),
      ),
    ).toBe('zero-spend-channel');
    expect(
      code(() =>
        validateInput(
          withSpend(
            0,
            data.channels[0].spend.map((v, t) => (t === 5 ? -1 : v)),
          ),
          config,
        ),
      ),
    ).toBe('negative-spend');
    expect(
      code(() =>
        validateInput(
          withSpend(
            0,
            data.channels[0].spend.map((v, t) => (t === 5 ? NaN : v)),
          ),
          config,
        ),
      ),
    ).toBe('not-finite');
    expect(
      code(() =>
        validateInput({ ...data, target: data.target.map((v, t) => (t === 3 ? Infinity : v)) }, config),
      ),
    ).toBe('not-finite');
  });

  it('rejects missing weeks and unordered dates', () => {
    const gap = {
      dates: [...data.dates.slice(0, 50), ...data.dates.slice(51)],
      target: [...data.target.slice(0, 50), ...data.target.slice(51)],
      channels: data.channels.map((c) => ({ ...c, spend: [...c.spend.slice(0, 50), ...c.spend.slice(51)] })),
    };
    expect(code(() => validateInput(gap, config))).toBe('missing-weeks');
    const repeated = { ...data, dates: data.dates.map((d, t) => (t === 11 ? data.dates[10] : d)) };
    expect(code(() => validateInput(repeated, config))).toBe('bad-date');
    expect(
      code(() =>
        validateInput({ ...data, dates: data.dates.map((d, t) => (t === 3 ? '2022-13-45' : d)) }, config),
      ),
    ).toBe('bad-date');
  });

  it('warns about collinear channels', () => {
    const twin = {
      ...data,
      channels: [...data.channels, { name: 'twin', spend: data.channels[0].spend.map((v) => 2 * v) }],
    };
    const warnings = validateInput(twin, config);
    expect(warnings.join('\n')).toMatch(/'channel_1' and 'twin' are collinear/);
  });

  it('rejects lift tests that cannot be used', () => {
    const test = {
      channel: 'channel_1',
      start: data.dates[10],
      end: data.dates[14],
      lift: 100,
      stdError: 10,
    };
    expect(code(() => validateInput(data, resolveConfig({ liftTests: [test] })))).toBe('none');
    expect(code(() => validateInput(data, resolveConfig({ liftTests: [{ ...test, channel: 'tv' }] })))).toBe(
      'bad-lift-test',
    );
    expect(code(() => validateInput(data, resolveConfig({ liftTests: [{ ...test, stdError: 0 }] })))).toBe(
      'bad-lift-test',
    );
    expect(
      code(() =>
        validateInput(
          data,
          resolveConfig({ liftTests: [{ ...test, start: '2030-01-01', end: '2030-02-01' }] }),
        ),
      ),
    ).toBe('bad-lift-test');
  });

  it('warns about a control collinear with the trend', () => {
    const withTime = { ...data, controls: [{ name: 't', values: data.dates.map((_, t) => t) }] };
    expect(validateInput(withTime, config).join('\n')).toMatch(
      /control 't' is collinear with the model's linear trend/,
    );
    expect(validateInput(withTime, resolveConfig({ trend: false }))).toEqual([]);
  });

  it('rejects a negative KPI under the non-negative likelihood', () => {
    const negative = { ...data, target: data.target.map((v, t) => (t === 0 ? -5 : v)) };
    expect(code(() => validateInput(negative, resolveConfig({ likelihood: 'truncated-normal' })))).toBe(
      'negative-target',
    );
    expect(code(() => validateInput(negative, config))).toBe('none');
  });
});
