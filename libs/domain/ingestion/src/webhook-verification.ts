import { timingSafeEqual } from 'node:crypto';

export type WebhookRejectionCode =
  | 'missing_header'
  | 'malformed_header'
  | 'no_signature'
  | 'bad_timestamp'
  | 'outside_tolerance'
  | 'signature_mismatch'
  | 'unsupported_algorithm'
  | 'untrusted_certificate'
  | 'missing_secret';

export type WebhookVerification =
  | { ok: true }
  | {
      ok: false;
      code: WebhookRejectionCode;
      /** The header (or argument) at fault, e.g. `Stripe-Signature`. */
      field: string;
      reason: string;
    };

/** Headers as a Node/Fastify request carries them: any case, a value or a list of values. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The header's value, looked up without regard to case; the first one if repeated. */
export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    const first = typeof value === 'string' ? value : value[0];
    return first === undefined ? undefined : first.trim();
  }
  return undefined;
}

export function rejection(code: WebhookRejectionCode, field: string, reason: string): WebhookVerification {
  return { ok: false, code, field, reason };
}

/** Equal strings, compared in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function secretList(secret: string | readonly string[]): string[] {
  return (typeof secret === 'string' ? [secret] : [...secret]).filter((s) => s !== '');
}
