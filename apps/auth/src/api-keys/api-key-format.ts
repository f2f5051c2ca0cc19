import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API keys look like `sxt_live_<32 base62 chars>_<6 base62 chars of CRC-32>`: the prefix lets
 * secret scanners find leaked keys, the checksum lets them (and us) reject typos and random
 * strings without a database lookup.
 */
export const API_KEY_PREFIX = 'sxt_live_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^sxt_live_([0-9A-Za-z]{32})_([0-9A-Za-z]{6})$/;

function base62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

function checksum(random: string): string {
  const sum = crc32(Buffer.from(`${API_KEY_PREFIX}${random}`)) >>> 0;
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(sum);
  return base62(buffer, 6);
}

export function generateApiKey(): string {
  // 24 random bytes (192 bits) fill 32 base62 characters (about 190 bits).
  const random = base62(randomBytes(24), 32);
  return `${API_KEY_PREFIX}${random}_${checksum(random)}`;
}

/** Well-formed with a matching checksum (says nothing about whether the key exists). */
export function isWellFormedApiKey(key: string): boolean {
  const match = KEY_PATTERN.exec(key);
  if (!match) return false;
  const expected = Buffer.from(checksum(match[1]));
  return timingSafeEqual(expected, Buffer.from(match[2]));
}

/** What is shown to recognise a key later: the prefix and the first 4 random characters. */
export const displayPrefix = (key: string) => key.slice(0, API_KEY_PREFIX.length + 4);

export const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Constant-time comparison of a presented secret with a stored SHA-256 hex digest. */
export function matchesHash(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(sha256(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
