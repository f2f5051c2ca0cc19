import { timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Sextant API keys: `sxt_live_<32 base62 chars>_<6 base62 chars of CRC-32 of the rest>` (the
 * format the auth service issues). The checksum lets the gateway reject typos and random strings
 * without asking the auth service.
 */
export const API_KEY_PREFIX = 'sxt_live_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^sxt_live_([0-9A-Za-z]{32})_([0-9A-Za-z]{6})$/;

export function apiKeyChecksum(random: string): string {
  let value = crc32(Buffer.from(`${API_KEY_PREFIX}${random}`)) >>> 0;
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Well-formed with a matching checksum (says nothing about whether the key exists). */
export function isWellFormedApiKey(key: string): boolean {
  const match = KEY_PATTERN.exec(key);
  if (!match) return false;
  return timingSafeEqual(Buffer.from(apiKeyChecksum(match[1])), Buffer.from(match[2]));
}
