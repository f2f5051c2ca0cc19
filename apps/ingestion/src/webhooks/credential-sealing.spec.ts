import { randomBytes } from 'node:crypto';
import { sealCredentials, unsealCredentials } from './credential-sealing';

describe('webhook credential sealing', () => {
  const key = randomBytes(32);

  it('round-trips, never shows the secret, and differs each time (random IV)', () => {
    const sealed = sealCredentials({ secret: 'whsec_abc' }, key, 'tenant/source');
    expect(sealed).not.toContain('whsec_abc');
    expect(sealed).not.toBe(sealCredentials({ secret: 'whsec_abc' }, key, 'tenant/source'));
    expect(unsealCredentials(sealed, key, 'tenant/source')).toEqual({ secret: 'whsec_abc' });
  });

  it('refuses another source, another key or a changed byte (GCM authentication)', () => {
    const sealed = sealCredentials({ webhookId: '4JH86294D6297924G' }, key, 'tenant/source');
    expect(() => unsealCredentials(sealed, key, 'tenant/other-source')).toThrow();
    expect(() => unsealCredentials(sealed, randomBytes(32), 'tenant/source')).toThrow();
    const [version, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() =>
      unsealCredentials([version, iv, tag, flipped.toString('base64url')].join('.'), key, 'tenant/source'),
    ).toThrow();
  });
});
