import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from './config';

/**
 * Secrets a service must read back (to sign or verify with them) are kept sealed: AES-256-GCM under
 * a 32-byte key from the service's config, with `boundTo` (e.g. tenant and record ids) as
 * authenticated data, so a sealed value cannot be moved onto another record.
 * Format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function sealText(plaintext: string, key: Buffer, boundTo: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}

export function unsealText(sealed: string, key: Buffer, boundTo: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new Error(`the sealed value of ${boundTo} is malformed`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}

/**
 * The sealing key setting `name` (base64 of 32 bytes): required in production, a fixed
 * development-only key elsewhere when unset.
 */
export function sealingKeySetting(
  name: string,
  value: string,
  nodeEnv: string,
  doc: string,
  developmentKey: string,
): string {
  if (!value) {
    if (nodeEnv === 'production') throw new ConfigError([`${name} is required in production (${doc})`]);
    return developmentKey;
  }
  if (Buffer.from(value, 'base64').length !== 32)
    throw new ConfigError([`${name} must be the base64 of exactly 32 bytes`]);
  return value;
}
