import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What verifies a source's signatures: HMAC secret (Shopify, WooCommerce, Stripe) or PayPal webhook id. */
export interface SourceCredentials {
  secret?: string;
  webhookId?: string;
}

/**
 * Seals credentials with AES-256-GCM under INGESTION_SECRETS_KEY. The tenant and source ids are
 * authenticated data, so sealed credentials cannot be moved onto another source.
 * Format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function sealCredentials(credentials: SourceCredentials, key: Buffer, boundTo: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}

export function unsealCredentials(sealed: string, key: Buffer, boundTo: string): SourceCredentials {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new Error(`sealed credentials of ${boundTo} are malformed`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as SourceCredentials;
}
