import {
  PAYPAL_CAPTURE_COMPLETED,
  STRIPE_CHARGE_REFUNDED,
  WOOCOMMERCE_ORDER_UPDATED,
} from './__fixtures__/order-webhooks';
import { providerEventId } from './webhook-event-id';

describe('providerEventId', () => {
  it('Shopify: X-Shopify-Event-Id, else X-Shopify-Webhook-Id', () => {
    expect(
      providerEventId('shopify', { 'x-shopify-event-id': 'e-1', 'x-shopify-webhook-id': 'w-1' }, {}),
    ).toEqual({
      ok: true,
      eventId: 'shopify:e-1',
    });
    expect(providerEventId('shopify', { 'X-Shopify-Webhook-Id': 'w-1' }, {})).toEqual({
      ok: true,
      eventId: 'shopify:w-1',
    });
    expect(providerEventId('shopify', {}, {})).toMatchObject({
      ok: false,
      problems: [{ path: 'X-Shopify-Event-Id' }],
    });
  });

  it('Stripe evt_ and PayPal WH- ids from the body', () => {
    expect(providerEventId('stripe', {}, STRIPE_CHARGE_REFUNDED)).toEqual({
      ok: true,
      eventId: 'stripe:evt_1PrefundC',
    });
    expect(providerEventId('paypal', {}, PAYPAL_CAPTURE_COMPLETED)).toEqual({
      ok: true,
      eventId: 'paypal:WH-58D329510W468432D-8HN650336L201105X',
    });
    expect(providerEventId('stripe', {}, { id: 'ch_1' })).toEqual({
      ok: false,
      problems: [{ path: '/id', reason: 'must be a Stripe event id (evt_...)' }],
    });
  });

  it('WooCommerce: resource + id + date_modified_gmt', () => {
    expect(
      providerEventId('woocommerce', { 'X-WC-Webhook-Resource': 'order' }, WOOCOMMERCE_ORDER_UPDATED),
    ).toEqual({
      ok: true,
      eventId: 'woocommerce:order:727:2026-03-01T15:05:00',
    });
    expect(providerEventId('woocommerce', { 'X-WC-Webhook-Resource': 'order' }, { id: 727 })).toMatchObject({
      ok: false,
      problems: [{ path: '/date_modified_gmt' }],
    });
  });
});
