import { randomBytes } from 'node:crypto';
import { seal, unseal } from './key-sealing';

describe('signing key sealing (AES-256-GCM)', () => {
  const kek = randomBytes(32);

  it('round-trips and never stores the plaintext', () => {
    const sealed = seal('{"d":"secret"}', kek, 'kid-1');
    expect(sealed).not.toContain('secret');
    expect(unseal(sealed, kek, 'kid-1')).toBe('{"d":"secret"}');
  });

  it('refuses another key, another key id, or a changed ciphertext', () => {
    const sealed = seal('{"d":"secret"}', kek, 'kid-1');
    expect(() => unseal(sealed, randomBytes(32), 'kid-1')).toThrow();
    expect(() => unseal(sealed, kek, 'kid-2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from(
      'x' + Buffer.from(parts[3], 'base64url').toString('latin1').slice(1),
      'latin1',
    ).toString('base64url');
    expect(() => unseal(parts.join('.'), kek, 'kid-1')).toThrow();
  });
});
