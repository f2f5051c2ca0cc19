import { sealText, unsealText } from '@sextant/platform/config';

/** What verifies a source's signatures: HMAC secret (Shopify, WooCommerce, Stripe) or PayPal webhook id. */
export interface SourceCredentials {
  secret?: string;
  webhookId?: string;
}

/** A source's credentials sealed under INGESTION_SECRETS_KEY, bound to the tenant and source ids. */
export function sealCredentials(credentials: SourceCredentials, key: Buffer, boundTo: string): string {
  return sealText(JSON.stringify(credentials), key, boundTo);
}

export function unsealCredentials(sealed: string, key: Buffer, boundTo: string): SourceCredentials {
  return JSON.parse(unsealText(sealed, key, boundTo)) as SourceCredentials;
}
