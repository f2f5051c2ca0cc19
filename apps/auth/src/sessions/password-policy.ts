import { readFileSync } from 'node:fs';
import path from 'node:path';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** Loads the shipped list of common passwords (one a line; # starts a comment). */
export function loadCommonPasswords(
  file = path.join(__dirname, '../passwords/common-passwords.txt'),
): ReadonlySet<string> {
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.toLowerCase()),
  );
}

/**
 * ASVS 5.0 V6.2: 8 to 128 characters (counted as Unicode code points, after NFC), no composition
 * rules, not a common password. Returns what is wrong, or undefined.
 */
export function passwordProblem(password: string, common: ReadonlySet<string>): string | undefined {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (common.has(password.toLowerCase())) return 'is too common; choose another';
  return undefined;
}

export const normaliseEmail = (email: string) => email.trim().normalize('NFC').toLowerCase();
