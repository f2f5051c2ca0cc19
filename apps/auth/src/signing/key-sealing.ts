import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals a signing key's private JWK with AES-256-GCM under the key-encryption key from the
 * environment. The key id is authenticated data, so a sealed key cannot be swapped onto another id.
 * Format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function seal(plaintext: string, keyEncryptionKey: Buffer, keyId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyEncryptionKey, iv);
  cipher.setAAD(Buffer.from(keyId));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function unseal(sealed: string, keyEncryptionKey: Buffer, keyId: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new Error(`sealed key ${keyId} is malformed`);
  const decipher = createDecipheriv('aes-256-gcm', keyEncryptionKey, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}
