import { ReadCache } from './read-cache';

describe('ReadCache', () => {
  const answer = { kpis: [1] };

  it('serves an answer at the version it was read at, and never after a change when staleness is 0', () => {
    const cache = new ReadCache(10, 0);
    expect(cache.get('k', '7', 1_000)).toEqual({ outcome: 'miss' });
    cache.set('k', '7', 1_000, answer);
    expect(cache.get('k', '7', 900_000)).toEqual({ outcome: 'hit', answer });
    expect(cache.get('k', '8', 1_000)).toEqual({ outcome: 'miss' });
    expect(cache.get('other', '7', 1_000)).toEqual({ outcome: 'miss' });
  });

  it('serves an answer after a change only while it is younger than the staleness allowed', () => {
    const cache = new ReadCache(10, 2_000);
    cache.set('k', '7', 10_000, answer);
    expect(cache.get('k', '8', 11_999)).toEqual({ outcome: 'stale_hit', answer });
    expect(cache.get('k', '8', 12_000)).toEqual({ outcome: 'miss' });
    const fresh = { kpis: [2] };
    cache.set('k', '8', 12_001, fresh);
    expect(cache.get('k', '8', 60_000)).toEqual({ outcome: 'hit', answer: fresh });
  });

  it('keeps the answer read later when two reads of the same question finish out of order', () => {
    const cache = new ReadCache(10, 0);
    const later = { kpis: [2] };
    cache.set('k', '8', 2_000, later);
    cache.set('k', '7', 1_000, answer);
    expect(cache.get('k', '8', 3_000)).toEqual({ outcome: 'hit', answer: later });
  });

  it('holds at most the configured number of answers, dropping the least recently used', () => {
    const cache = new ReadCache(2, 0);
    cache.set('a', '1', 0, answer);
    cache.set('b', '1', 0, answer);
    cache.get('a', '1', 0);
    cache.set('c', '1', 0, answer);
    expect(cache.get('b', '1', 0).outcome).toBe('miss');
    expect(cache.get('a', '1', 0).outcome).toBe('hit');
    expect(cache.get('c', '1', 0).outcome).toBe('hit');
  });
});
