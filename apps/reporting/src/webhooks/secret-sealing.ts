import { sealText, unsealText } from '@sextant/platform/config';
import { randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets at rest, sealed under REPORTING_WEBHOOK_SECRET_KEY and bound to their
 * tenant and webhook (the secret must be recoverable to sign each delivery, so it is encrypted, not hashed).
 */
export const sealSecret = sealText;
export const unsealSecret = unsealText;

export const sealingContext = (tenantId: string, webhookId: string) => `webhook:${tenantId}:${webhookId}`;

/** A new signing secret: 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
