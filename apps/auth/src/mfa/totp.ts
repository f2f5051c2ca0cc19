import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as used here: HMAC-SHA-1, 30-second steps, one step of clock drift either way. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const WINDOW = 1;

/** A new random 160-bit secret (RFC 4226 recommends at least 128, 160 is the SHA-1 block). */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The `otpauth://totp/...` URI an authenticator app reads (as a QR code). */
export function otpauthUri(secretBase32: string, account: string, issuer: string): string {
  return new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  }).toString();
}

export interface TotpCheck {
  /** Milliseconds since the epoch. */
  now: number;
  /** The last time step accepted for this secret; that step and older ones are refused (replay). */
  lastStep?: number | null;
  digits?: number;
}

/**
 * The time step a code belongs to when it is valid now (within ±1 step) and newer than the last
 * accepted step; null otherwise.
 */
export function acceptedTotpStep(secretBase32: string, code: string, check: TotpCheck): number | null {
  const digits = check.digits ?? TOTP_DIGITS;
  if (!new RegExp(`^[0-9]{${digits}}$`).test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits,
    period: TOTP_PERIOD_SECONDS,
    timestamp: check.now,
    window: WINDOW,
  });
  if (delta === null) return null;
  const step = TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: check.now }) + delta;
  if (check.lastStep !== null && check.lastStep !== undefined && step <= check.lastStep) return null;
  return step;
}
