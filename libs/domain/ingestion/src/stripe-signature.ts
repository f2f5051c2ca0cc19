/**
 * Stripe's `Stripe-Signature` header, verified as Stripe documents for manual verification
 * (https://docs.stripe.com/webhooks#verify-manually): the header is `t=<unix seconds>,v1=<hex>[,v1=...]`
 * (other schemes such as v0 are ignored); the expected signature is the hex HMAC-SHA256 of
 * `"<t>.<raw body>"` keyed with the endpoint secret (`whsec_...`); any v1 may match. A timestamp
 * further than the tolerance (default 300 s, Stripe's) from now, in either direction, is refused, so
 * a captured delivery cannot be replayed later.
 */
import { createHmac } from 'node:crypto';
import {
  constantTimeEqual,
  headerValue,
  rejection,
  secretList,
  type WebhookHeaders,
  type WebhookVerification,
} from './webhook-verification';

export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';
export const STRIPE_DEFAULT_TOLERANCE_SECONDS = 300;

export interface StripeWebhookInput {
  rawBody: Uint8Array;
  headers: WebhookHeaders;
  secret: string | readonly string[];
  /** Current time, ms since the epoch. */
  now: number;
  toleranceSeconds?: number;
}

export function stripeSignature(secret: string, timestamp: string, rawBody: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex');
}

export function verifyStripeWebhook(input: StripeWebhookInput): WebhookVerification {
  const header = STRIPE_SIGNATURE_HEADER;
  const secrets = secretList(input.secret);
  if (secrets.length === 0) return rejection('missing_secret', 'secret', 'no endpoint secret is configured');
  const value = headerValue(input.headers, header);
  if (value === undefined || value === '')
    return rejection('missing_header', header, 'the header is missing');

  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const element of value.split(',')) {
    const at = element.indexOf('=');
    if (at <= 0) return rejection('malformed_header', header, `element "${element}" is not key=value`);
    const key = element.slice(0, at).trim();
    const item = element.slice(at + 1).trim();
    if (key === 't') timestamps.push(item);
    if (key === 'v1') signatures.push(item);
  }
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0])) {
    return rejection('bad_timestamp', header, 'needs exactly one t=<unix seconds>');
  }
  if (signatures.length === 0) return rejection('no_signature', header, 'has no v1 signature');

  const timestamp = timestamps[0];
  const matches = secrets.some((secret) => {
    const expected = stripeSignature(secret, timestamp, input.rawBody);
    return signatures.some((signature) => constantTimeEqual(expected, signature));
  });
  if (!matches) {
    return rejection('signature_mismatch', header, 'no v1 signature matches the HMAC-SHA256 of "t.body"');
  }
  const tolerance = input.toleranceSeconds ?? STRIPE_DEFAULT_TOLERANCE_SECONDS;
  const ageSeconds = input.now / 1000 - Number(timestamp);
  if (Math.abs(ageSeconds) > tolerance) {
    return rejection(
      'outside_tolerance',
      header,
      `t is ${Math.round(ageSeconds)} s from now; the tolerance is ${tolerance} s (a replay or a wrong clock)`,
    );
  }
  return { ok: true };
}
