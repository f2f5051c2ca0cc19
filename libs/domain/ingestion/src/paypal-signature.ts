/**
 * PayPal webhooks, verified offline as PayPal documents it
 * (https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod): the signed text is
 * `<paypal-transmission-id>|<paypal-transmission-time>|<webhook id>|<CRC32 of the raw body, decimal>`,
 * signed with RSA-SHA256 (`paypal-auth-algo: SHA256withRSA`); the signature is base64 in
 * `paypal-transmission-sig`; the public key is in the X.509 certificate at `paypal-cert-url`.
 *
 * This library does no I/O: the caller fetches the certificate, only from a URL that
 * `isPayPalCertUrl` accepts, caches it, and passes its PEM here.
 */
import { verify, X509Certificate } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  headerValue,
  rejection,
  type WebhookHeaders,
  type WebhookVerification,
} from './webhook-verification';

export const PAYPAL_HEADERS = {
  transmissionId: 'paypal-transmission-id',
  transmissionTime: 'paypal-transmission-time',
  transmissionSig: 'paypal-transmission-sig',
  certUrl: 'paypal-cert-url',
  authAlgo: 'paypal-auth-algo',
} as const;

export const PAYPAL_AUTH_ALGORITHM = 'SHA256withRSA';

/** Hosts PayPal serves webhook certificates from (live and sandbox, classic and `api-m`). */
export const PAYPAL_CERT_HOSTS: readonly string[] = [
  'api.paypal.com',
  'api-m.paypal.com',
  'api.sandbox.paypal.com',
  'api-m.sandbox.paypal.com',
];

/** An https URL on a PayPal API host, default port, no credentials: safe to fetch a certificate from. */
export function isPayPalCertUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    PAYPAL_CERT_HOSTS.includes(parsed.hostname.toLowerCase()) &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** `transmission_id|transmission_time|webhook_id|crc32(body)`. */
export function payPalSignedText(
  transmissionId: string,
  transmissionTime: string,
  webhookId: string,
  rawBody: Uint8Array,
): string {
  return `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(rawBody)}`;
}

export interface PayPalWebhookInput {
  rawBody: Uint8Array;
  headers: WebhookHeaders;
  /** The id of the webhook subscription in the merchant's PayPal app (not the event id). */
  webhookId: string;
  /** PEM of the certificate fetched from `paypal-cert-url`. */
  certificatePem: string;
  /** When given, a certificate not valid at this time (ms since the epoch) is refused. */
  now?: number;
}

export function verifyPayPalWebhook(input: PayPalWebhookInput): WebhookVerification {
  const read = (name: string): string | undefined => headerValue(input.headers, name);
  for (const name of Object.values(PAYPAL_HEADERS)) {
    const value = read(name);
    if (value === undefined || value === '')
      return rejection('missing_header', name, 'the header is missing');
  }
  const algorithm = read(PAYPAL_HEADERS.authAlgo) as string;
  if (algorithm !== PAYPAL_AUTH_ALGORITHM) {
    return rejection(
      'unsupported_algorithm',
      PAYPAL_HEADERS.authAlgo,
      `is "${algorithm}"; only ${PAYPAL_AUTH_ALGORITHM} is accepted`,
    );
  }
  const certUrl = read(PAYPAL_HEADERS.certUrl) as string;
  if (!isPayPalCertUrl(certUrl)) {
    return rejection(
      'untrusted_certificate',
      PAYPAL_HEADERS.certUrl,
      'is not an https URL on a PayPal API host',
    );
  }
  if (input.webhookId.trim() === '')
    return rejection('missing_secret', 'webhookId', 'no webhook id is configured');

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(input.certificatePem);
  } catch (error) {
    return rejection(
      'untrusted_certificate',
      'certificatePem',
      `cannot be read: ${(error as Error).message}`,
    );
  }
  const commonName = /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1] ?? '';
  if (!commonName.toLowerCase().endsWith('.paypal.com')) {
    return rejection(
      'untrusted_certificate',
      'certificatePem',
      `subject CN "${commonName}" is not a paypal.com host`,
    );
  }
  if (
    input.now !== undefined &&
    (input.now < Date.parse(certificate.validFrom) || input.now > Date.parse(certificate.validTo))
  ) {
    return rejection(
      'untrusted_certificate',
      'certificatePem',
      `is valid from ${certificate.validFrom} to ${certificate.validTo}, not now`,
    );
  }

  const signatureText = read(PAYPAL_HEADERS.transmissionSig) as string;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureText)) {
    return rejection('malformed_header', PAYPAL_HEADERS.transmissionSig, 'is not base64');
  }
  const signedText = payPalSignedText(
    read(PAYPAL_HEADERS.transmissionId) as string,
    read(PAYPAL_HEADERS.transmissionTime) as string,
    input.webhookId,
    input.rawBody,
  );
  const valid = verify(
    'sha256',
    Buffer.from(signedText, 'utf8'),
    certificate.publicKey,
    Buffer.from(signatureText, 'base64'),
  );
  return valid
    ? { ok: true }
    : rejection(
        'signature_mismatch',
        PAYPAL_HEADERS.transmissionSig,
        'is not an RSA-SHA256 signature of transmission id|time|webhook id|crc32(body) by the certificate',
      );
}
