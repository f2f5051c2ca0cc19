import { randomBytes } from 'node:crypto';
import { sealText, unsealText } from './sealing';

describe('sealing secrets at rest (AES-256-GCM)', () => {
  const kek = randomBytes(32);

  it('round-trips and never stores the plaintext', () => {
    const sealed = sealText('{"d":"secret"}', kek, 'kid-1');
    expect(sealed).not.toContain('secret');
    expect(unsealText(sealed, kek, 'kid-1')).toBe('{"d":"secret"}');
  });

  it('refuses another key, another key id, or a changed ciphertext', () => {
    const sealed = sealText('{"d":"secret"}', kek, 'kid-1');
    expect(() => unsealText(sealed, randomBytes(32), 'kid-1')).toThrow();
    expect(() => unsealText(sealed, kek, 'kid-2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from(
      'x' + Buffer.from(parts[3], 'base64url').toString('latin1').slice(1),
      'latin1',
    ).toString('base64url');
    expect(() => unsealText(parts.join('.'), kek, 'kid-1')).toThrow();
  });
});
