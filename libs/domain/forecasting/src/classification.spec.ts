import { classifyDemand } from './classification';

describe('classifyDemand (Syntetos-Boylan)', () => {
  it('computes ADI after trimming leading zeros and CV^2 of the non-zero sizes (worked by hand)', () => {
    // Active part [2, 0, 4, 0, 0, 6, 0, 8, 0, 0, 2, 0]: 12 periods, 5 demands -> ADI 2.4.
    // Sizes 2, 4, 6, 8, 2: mean 4.4, sample variance (5.76 + 0.16 + 2.56 + 12.96 + 5.76) / 4 = 6.8,
    // CV^2 = 6.8 / 19.36 = 0.35124.
    const values = [0, 0, 0, 2, 0, 4, 0, 0, 6, 0, 8, 0, 0, 2, 0];
    const result = classifyDemand(values, 1, { minHistory: 5, inactiveWindow: 5 });
    expect(result.adi).toBeCloseTo(2.4, 12);
    expect(result.cv2).toBeCloseTo(6.8 / 19.36, 12);
    expect(result.activeLength).toBe(12);
    expect(result.demandClass).toBe('intermittent');
  });

  it('puts each quadrant in its class, with configurable cut-offs', () => {
    const smooth = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9];
    const erratic = [1, 30, 2, 25, 1, 40, 3, 20, 1, 35, 2, 30];
    const intermittent = [5, 0, 0, 6, 0, 0, 5, 0, 0, 6, 0, 5];
    const lumpy = [1, 0, 0, 40, 0, 0, 2, 0, 0, 30, 0, 1];
    const options = { minHistory: 5, inactiveWindow: 2 };
    expect(classifyDemand(smooth, 1, options).demandClass).toBe('smooth');
    expect(classifyDemand(erratic, 1, options).demandClass).toBe('erratic');
    expect(classifyDemand(intermittent, 1, options).demandClass).toBe('intermittent');
    expect(classifyDemand(lumpy, 1, options).demandClass).toBe('lumpy');
    expect(classifyDemand(intermittent, 1, { ...options, adiCutoff: 5 }).demandClass).toBe('smooth');
    expect(classifyDemand(erratic, 1, { ...options, cv2Cutoff: 10 }).demandClass).toBe('smooth');
  });

  it('calls short histories new and silent recent windows inactive', () => {
    expect(classifyDemand([0, 0, 0, 0, 3, 4, 5], 1, { minHistory: 5 }).demandClass).toBe('new');
    expect(
      classifyDemand([3, 4, 5, 6, 7, 0, 0, 0], 1, { minHistory: 3, inactiveWindow: 3 }).demandClass,
    ).toBe('inactive');
    expect(
      classifyDemand([3, 4, 5, 6, 7, 0, 0, 0], 1, { minHistory: 3, inactiveWindow: 4 }).demandClass,
    ).not.toBe('inactive');
    expect(classifyDemand([0, 0, 0], 1).demandClass).toBe('inactive');
  });
});
