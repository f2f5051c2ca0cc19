import { displayPrefix, generateApiKey, isWellFormedApiKey, matchesHash, sha256 } from './api-key-format';

describe('API key format', () => {
  it('makes recognisable keys whose checksum verifies', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const key of keys) {
      expect(key).toMatch(/^sxt_live_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('rejects a key with any character changed, and strings of the wrong shape', () => {
    const key = generateApiKey();
    const random = key.slice(9, 41);
    const flipped = random[5] === 'a' ? 'b' : 'a';
    expect(isWellFormedApiKey(key.replace(random, random.slice(0, 5) + flipped + random.slice(6)))).toBe(
      false,
    );
    expect(isWellFormedApiKey(`${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`)).toBe(false);
    expect(isWellFormedApiKey('sxt_live_short_abcdef')).toBe(false);
    expect(isWellFormedApiKey(key.replace('sxt_live_', 'sxt_test_'))).toBe(false);
  });

  it('shows only the prefix and compares hashes in constant time', () => {
    const key = generateApiKey();
    expect(displayPrefix(key)).toBe(key.slice(0, 13));
    expect(matchesHash(key, sha256(key))).toBe(true);
    expect(matchesHash(generateApiKey(), sha256(key))).toBe(false);
    expect(matchesHash(key, 'abcd')).toBe(false);
  });
});
