/**
 * Shopify and WooCommerce sign a webhook the same way: base64 of HMAC-SHA256 over the raw body.
 *
 * - Shopify, header `X-Shopify-Hmac-Sha256`, key = the app's client secret:
 *   https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook
 * - WooCommerce, header `X-WC-Webhook-Signature`, key = the webhook's secret
 *   (`WC_Webhook::generate_signature`: `base64_encode(hash_hmac('sha256', $payload, $secret, true))`):
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
 *
 * Several secrets may be given (during a rotation); any one may match.
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

export const SHOPIFY_SIGNATURE_HEADER = 'X-Shopify-Hmac-Sha256';
export const WOOCOMMERCE_SIGNATURE_HEADER = 'X-WC-Webhook-Signature';

export interface HmacWebhookInput {
  rawBody: Uint8Array;
  headers: WebhookHeaders;
  secret: string | readonly string[];
}

export function base64HmacSha256(secret: string, rawBody: Uint8Array): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export function verifyShopifyWebhook(input: HmacWebhookInput): WebhookVerification {
  return verifyBase64Hmac(input, SHOPIFY_SIGNATURE_HEADER);
}

/** Verifies a signed WooCommerce delivery; see `parseWooCommercePing` for the unsigned creation ping. */
export function verifyWooCommerceWebhook(input: HmacWebhookInput): WebhookVerification {
  return verifyBase64Hmac(input, WOOCOMMERCE_SIGNATURE_HEADER);
}

/**
 * WooCommerce pings a delivery URL when a webhook is created or activated, with the unsigned form body
 * `webhook_id=<id>` (`WC_Webhook::deliver_ping`). The ping carries no data; answer it with 2xx and
 * ingest nothing. Returns the webhook id, or undefined when the request is not such a ping.
 */
export function parseWooCommercePing(
  rawBody: Uint8Array,
  headers: WebhookHeaders,
): { webhookId: string } | undefined {
  if (headerValue(headers, WOOCOMMERCE_SIGNATURE_HEADER) !== undefined || rawBody.length > 64)
    return undefined;
  const match = /^webhook_id=(\d+)$/.exec(Buffer.from(rawBody).toString('utf8').trim());
  return match ? { webhookId: match[1] } : undefined;
}

function verifyBase64Hmac(input: HmacWebhookInput, header: string): WebhookVerification {
  const secrets = secretList(input.secret);
  if (secrets.length === 0) return rejection('missing_secret', 'secret', 'no webhook secret is configured');
  const signature = headerValue(input.headers, header);
  if (signature === undefined || signature === '') {
    return rejection('missing_header', header, `the ${header} header is missing`);
  }
  if (!/^[A-Za-z0-9+/]{43}=$/.test(signature)) {
    return rejection('malformed_header', header, 'is not a base64 SHA-256 HMAC (44 characters)');
  }
  const matches = secrets.some((secret) =>
    constantTimeEqual(base64HmacSha256(secret, input.rawBody), signature),
  );
  return matches
    ? { ok: true }
    : rejection('signature_mismatch', header, 'does not match the HMAC-SHA256 of the body with the secret');
}
