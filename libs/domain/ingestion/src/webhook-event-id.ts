/**
 * The provider's own id of a delivery, for deduplication (providers retry, and deliver at least once):
 * - Shopify: `X-Shopify-Event-Id` (the same across retries of one event), else `X-Shopify-Webhook-Id`;
 * - Stripe: the event object's `id` (`evt_...`) in the body;
 * - PayPal: the event's `id` (`WH-...`) in the body;
 * - WooCommerce sends no event id: resource (`X-WC-Webhook-Resource`, e.g. `order`) + the resource's
 *   `id` + its `date_modified_gmt`, so one state of one resource is one event.
 */
import type { CommerceProvider } from './order-model';
import { isPlainObject, type Problem } from './problems';
import { headerValue, type WebhookHeaders } from './webhook-verification';

export type ProviderEventId = { ok: true; eventId: string } | { ok: false; problems: Problem[] };

export function providerEventId(
  provider: CommerceProvider,
  headers: WebhookHeaders,
  body: unknown,
): ProviderEventId {
  const fail = (path: string, reason: string): ProviderEventId => ({
    ok: false,
    problems: [{ path, reason }],
  });
  switch (provider) {
    case 'shopify': {
      const id = headerValue(headers, 'X-Shopify-Event-Id') || headerValue(headers, 'X-Shopify-Webhook-Id');
      return id
        ? { ok: true, eventId: `shopify:${id}` }
        : fail('X-Shopify-Event-Id', 'header is missing (and X-Shopify-Webhook-Id too)');
    }
    case 'stripe': {
      const id = isPlainObject(body) ? body.id : undefined;
      return typeof id === 'string' && /^evt_\w+$/.test(id)
        ? { ok: true, eventId: `stripe:${id}` }
        : fail('/id', 'must be a Stripe event id (evt_...)');
    }
    case 'paypal': {
      const id = isPlainObject(body) ? body.id : undefined;
      return typeof id === 'string' && /^WH-[\w-]+$/.test(id)
        ? { ok: true, eventId: `paypal:${id}` }
        : fail('/id', 'must be a PayPal webhook event id (WH-...)');
    }
    case 'woocommerce': {
      const resource = headerValue(headers, 'X-WC-Webhook-Resource');
      if (!resource) return fail('X-WC-Webhook-Resource', 'header is missing');
      if (!isPlainObject(body)) return fail('', 'body must be a JSON object');
      const id = body.id;
      if (typeof id !== 'number' && typeof id !== 'string') return fail('/id', 'must be the resource id');
      const modified = body.date_modified_gmt;
      if (typeof modified !== 'string' || modified === '') return fail('/date_modified_gmt', 'is required');
      return { ok: true, eventId: `woocommerce:${resource}:${id}:${modified}` };
    }
  }
}
