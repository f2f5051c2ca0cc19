import { ReadCache } from './read-cache';

describe('ReadCache', () => {
  const answer = { kpis: [1] };

  it('serves an answer at the version it was read at, and never after a change when staleness is 0', () => {
    const cache = new ReadCache(10, 0);
    expect(cache.get('k', '7', 1_000)).toBeUndefined();
    cache.set('k', '7', 1_000, answer);
    expect(cache.recent('k', 1_000)).toBeUndefined();
    expect(cache.get('k', '7', 900_000)).toBe(answer);
    expect(cache.get('k', '8', 1_000)).toBeUndefined();
    expect(cache.get('other', '7', 1_000)).toBeUndefined();
  });

  it('serves an answer without its version while that was current within the staleness allowed', () => {
    const cache = new ReadCache(10, 2_000);
    cache.set('k', '7', 10_000, answer);
    expect(cache.recent('k', 11_999)).toBe(answer);
    expect(cache.recent('k', 12_000)).toBeUndefined();
    // Seen current again at 12,000 (a read that asked for the version): recent for 2 s from then.
    expect(cache.get('k', '7', 12_000)).toBe(answer);
    expect(cache.recent('k', 13_999)).toBe(answer);
    expect(cache.recent('k', 14_000)).toBeUndefined();
    // A version check that began before the last one does not move it back.
    expect(cache.get('k', '7', 11_000)).toBe(answer);
    expect(cache.recent('k', 13_999)).toBe(answer);
    expect(cache.get('k', '8', 14_000)).toBeUndefined();
    const fresh = { kpis: [2] };
    cache.set('k', '8', 14_001, fresh);
    expect(cache.recent('k', 15_000)).toBe(fresh);
    expect(cache.get('k', '8', 60_000)).toBe(fresh);
  });

  it('keeps the answer read later when two reads of the same question finish out of order', () => {
    const cache = new ReadCache(10, 0);
    const later = { kpis: [2] };
    cache.set('k', '8', 2_000, later);
    cache.set('k', '7', 1_000, answer);
    expect(cache.get('k', '8', 3_000)).toBe(later);
  });

  it('holds at most the configured number of answers, dropping the least recently used', () => {
    const cache = new ReadCache(2, 0);
    cache.set('a', '1', 0, answer);
    cache.set('b', '1', 0, answer);
    cache.get('a', '1', 0);
    cache.set('c', '1', 0, answer);
    expect(cache.get('b', '1', 0)).toBeUndefined();
    expect(cache.get('a', '1', 0)).toBe(answer);
    expect(cache.get('c', '1', 0)).toBe(answer);
  });
});
