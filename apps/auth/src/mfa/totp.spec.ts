import { Secret, TOTP } from 'otpauth';
import { acceptedTotpStep, newTotpSecret, otpauthUri } from './totp';
import { findRecoveryCode, hashRecoveryCode, newRecoveryCodes } from './recovery-codes';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
const RFC_SECRET = Secret.fromUTF8('12345678901234567890').base32;
const RFC_SHA1_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it('accepts the RFC 6238 Appendix B SHA-1 codes at their times, in their time step', () => {
    for (const [seconds, code] of RFC_SHA1_VECTORS)
      expect(acceptedTotpStep(RFC_SECRET, code, { now: seconds * 1000, digits: 8 })).toBe(
        Math.floor(seconds / 30),
      );
  });

  it('accepts one step of drift either way, not two', () => {
    // 94287082 is the code of step 1 (T = 30..59 s).
    expect(acceptedTotpStep(RFC_SECRET, '94287082', { now: 89_000, digits: 8 })).toBe(1);
    expect(acceptedTotpStep(RFC_SECRET, '94287082', { now: 0, digits: 8 })).toBe(1);
    expect(acceptedTotpStep(RFC_SECRET, '94287082', { now: 90_000, digits: 8 })).toBeNull();
  });

  it('refuses a code of the last accepted step or an older one (replay)', () => {
    expect(acceptedTotpStep(RFC_SECRET, '94287082', { now: 59_000, digits: 8, lastStep: 1 })).toBeNull();
    expect(acceptedTotpStep(RFC_SECRET, '94287082', { now: 59_000, digits: 8, lastStep: 2 })).toBeNull();
    expect(acceptedTotpStep(RFC_SECRET, '94287082', { now: 59_000, digits: 8, lastStep: 0 })).toBe(1);
  });

  it('refuses wrong codes and codes of the wrong shape', () => {
    expect(acceptedTotpStep(RFC_SECRET, '94287083', { now: 59_000, digits: 8 })).toBeNull();
    expect(acceptedTotpStep(RFC_SECRET, '9428708', { now: 59_000, digits: 8 })).toBeNull();
  });

  it('uses the same truncation for 6 digits (the last 6 of the 8-digit RFC value, RFC 4226 5.3)', () => {
    expect(acceptedTotpStep(RFC_SECRET, '287082', { now: 59_000 })).toBe(1);
    expect(acceptedTotpStep(RFC_SECRET, '005924', { now: 1_234_567_890_000 })).toBe(41_152_263);
  });

  it('makes 160-bit secrets and otpauth URIs an authenticator reads back', () => {
    const secret = newTotpSecret();
    expect(Buffer.from(Secret.fromBase32(secret).buffer).length).toBe(20);
    const uri = otpauthUri(secret, 'ann@example.com', 'Sextant');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Sextant:ann%40example\.com\?/);
    const url = new URL(uri);
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('digits')).toBe('6');
    // A code an authenticator would show now is accepted by our check.
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: 1_700_000_000_000 });
    expect(acceptedTotpStep(secret, code, { now: 1_700_000_000_000 })).toBe(Math.floor(1_700_000_000 / 30));
  });
});

describe('recovery codes', () => {
  it('makes ten distinct codes that match only their own hash', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    const hashes = codes.map(hashRecoveryCode);
    expect(findRecoveryCode(codes[3], hashes)).toBe(hashes[3]);
    expect(findRecoveryCode(codes[3].toUpperCase(), hashes)).toBe(hashes[3]);
    expect(findRecoveryCode('aaaaa-aaaaa', hashes)).toBeUndefined();
  });
});
