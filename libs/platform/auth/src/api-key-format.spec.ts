import { isWellFormedApiKey } from './api-key-format';

describe('isWellFormedApiKey', () => {
  // Checksums computed independently (Python: zlib.crc32 of "sxt_live_<random>", 6 base62 digits).
  const valid = [
    'sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck39',
    'sxt_live_0123456789abcdefghijKLMNOPQRSTUV_3KpMnn',
  ];

  it('accepts keys whose checksum matches', () => {
    for (const key of valid) expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('rejects a typo, a wrong checksum, a wrong prefix and other shapes', () => {
    expect(isWellFormedApiKey('sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbB_2qck39')).toBe(false);
    expect(isWellFormedApiKey('sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck3a')).toBe(false);
    expect(isWellFormedApiKey('sxt_test_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck39')).toBe(false);
    expect(isWellFormedApiKey('sxt_live_short_2qck39')).toBe(false);
    expect(isWellFormedApiKey('')).toBe(false);
  });
});
