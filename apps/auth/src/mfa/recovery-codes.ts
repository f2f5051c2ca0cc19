import { randomInt } from 'node:crypto';
import { matchesHash, sha256 } from '../api-keys/api-key-format';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const part = () => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** Ten codes like `k3x9a-0pq2m` (about 52 bits each), shown once; only their SHA-256 is stored. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => `${part()}-${part()}`);
}

export const hashRecoveryCode = (code: string) => sha256(code.trim().toLowerCase());

/** The stored hash a code matches (constant-time per comparison), if any. */
export function findRecoveryCode(code: string, storedHashes: string[]): string | undefined {
  const normalised = code.trim().toLowerCase();
  let found: string | undefined;
  for (const hash of storedHashes) if (matchesHash(normalised, hash)) found = hash;
  return found;
}
