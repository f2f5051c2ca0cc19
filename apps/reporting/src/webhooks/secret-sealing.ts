import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets at rest: AES-256-GCM under REPORTING_WEBHOOK_SECRET_KEY, with the
 * tenant and webhook ids as authenticated data so a sealed secret cannot be moved onto another
 * subscription. Same format as auth's sealed keys: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 * (The secret must be recoverable to sign each delivery, so it is encrypted, not hashed.)
 */
export function sealSecret(secret: string, key: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((p) => p.toString('base64url'))].join('.');
}

export function unsealSecret(sealed: string, key: Buffer, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new Error(`sealed secret of ${context} is malformed`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}

export const sealingContext = (tenantId: string, webhookId: string) => `webhook:${tenantId}:${webhookId}`;

/** A new signing secret: 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
