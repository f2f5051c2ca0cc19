/**
 * Small order webhooks written for these tests in the shape of each provider's documented examples
 * (field names, types and formats as in the docs cited in order-normalisers.ts; values trimmed and
 * made consistent with each other: one order of 2 x SKU "IPOD2008PINK" at 199.00 USD, a 20.00
 * discount, 10.00 shipping, 14.00 tax, total 402.00, later refunded 50.00 in part).
 */
export const SHOPIFY_ORDER_UPDATED = {
  id: 450789469,
  admin_graphql_api_id: 'gid://shopify/Order/450789469',
  name: '#1001',
  email: ' Bob.Norman@Mail.example.com ',
  created_at: '2026-03-01T10:00:00-05:00',
  updated_at: '2026-03-01T10:05:00-05:00',
  currency: 'USD',
  financial_status: 'paid',
  cancelled_at: null,
  total_line_items_price: '398.00',
  subtotal_price: '378.00',
  total_discounts: '20.00',
  total_tax: '14.00',
  total_price: '402.00',
  total_shipping_price_set: {
    shop_money: { amount: '10.00', currency_code: 'USD' },
    presentment_money: { amount: '10.00', currency_code: 'USD' },
  },
  customer: { id: 207119551, email: 'bob.norman@mail.example.com' },
  line_items: [
    {
      id: 466157049,
      product_id: 632910392,
      name: 'IPod Nano - 8gb - pink',
      sku: 'IPOD2008PINK',
      price: '199.00',
      quantity: 2,
    },
  ],
  refunds: [],
};

export const SHOPIFY_REFUND_CREATED = {
  id: 509562969,
  order_id: 450789469,
  created_at: '2026-03-03T09:00:00-05:00',
  processed_at: '2026-03-03T09:00:00-05:00',
  note: 'damaged box',
  refund_line_items: [
    { id: 104689539, line_item_id: 466157049, quantity: 0, line_item: { sku: 'IPOD2008PINK' } },
  ],
  transactions: [
    { id: 179259969, kind: 'refund', status: 'success', amount: '50.00', currency: 'USD', gateway: 'bogus' },
    { id: 179259970, kind: 'refund', status: 'failure', amount: '50.00', currency: 'USD', gateway: 'bogus' },
  ],
};

export const WOOCOMMERCE_ORDER_UPDATED = {
  id: 727,
  number: '727',
  status: 'processing',
  currency: 'USD',
  date_created_gmt: '2026-03-01T15:00:00',
  date_modified_gmt: '2026-03-01T15:05:00',
  discount_total: '20.00',
  shipping_total: '10.00',
  total_tax: '14.00',
  total: '402.00',
  customer_id: 26,
  billing: { first_name: 'John', last_name: 'Doe', email: 'john.doe@example.com' },
  line_items: [
    {
      id: 315,
      name: 'Woo Single #1',
      product_id: 93,
      quantity: 2,
      subtotal: '398.00',
      total: '378.00',
      sku: 'IPOD2008PINK',
      price: 199,
    },
  ],
  refunds: [{ id: 726, reason: 'damaged box', total: '-50.00' }],
};

const stripeEvent = (id: string, type: string, created: number, object: Record<string, unknown>) => ({
  id,
  object: 'event',
  api_version: '2024-06-20',
  created,
  type,
  livemode: false,
  data: { object },
});

export const STRIPE_CHECKOUT_COMPLETED = stripeEvent(
  'evt_1PcheckoutA',
  'checkout.session.completed',
  1772377500,
  {
    id: 'cs_test_a1b2c3',
    object: 'checkout.session',
    amount_subtotal: 39800,
    amount_total: 40200,
    currency: 'usd',
    customer: 'cus_Q1w2e3',
    customer_details: { email: 'bob.norman@mail.example.com', name: 'Bob Norman' },
    client_reference_id: 'order-1001',
    payment_intent: 'pi_3Pabc',
    payment_status: 'paid',
    status: 'complete',
    created: 1772377400,
    total_details: { amount_discount: 2000, amount_shipping: 1000, amount_tax: 1400 },
  },
);

export const STRIPE_PAYMENT_SUCCEEDED = stripeEvent(
  'evt_1PpaymentB',
  'payment_intent.succeeded',
  1772377490,
  {
    id: 'pi_3Pabc',
    object: 'payment_intent',
    amount: 40200,
    amount_received: 40200,
    currency: 'usd',
    customer: 'cus_Q1w2e3',
    receipt_email: 'bob.norman@mail.example.com',
    status: 'succeeded',
    created: 1772377400,
  },
);

export const STRIPE_CHARGE_REFUNDED = stripeEvent('evt_1PrefundC', 'charge.refunded', 1772550000, {
  id: 'ch_3Pabc',
  object: 'charge',
  amount: 40200,
  amount_captured: 40200,
  amount_refunded: 5000,
  currency: 'usd',
  payment_intent: 'pi_3Pabc',
  refunded: false,
  status: 'succeeded',
});

export const PAYPAL_CAPTURE_COMPLETED = {
  id: 'WH-58D329510W468432D-8HN650336L201105X',
  create_time: '2026-03-01T15:05:10.000Z',
  resource_type: 'capture',
  event_type: 'PAYMENT.CAPTURE.COMPLETED',
  summary: 'Payment completed for $ 402.0 USD',
  resource: {
    id: '42311647XV020574X',
    status: 'COMPLETED',
    amount: { currency_code: 'USD', value: '402.00' },
    final_capture: true,
    invoice_id: 'INV-1001',
    seller_receivable_breakdown: {
      gross_amount: { currency_code: 'USD', value: '402.00' },
      paypal_fee: { currency_code: 'USD', value: '14.33' },
      net_amount: { currency_code: 'USD', value: '387.67' },
    },
    supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
    create_time: '2026-03-01T15:05:00Z',
    update_time: '2026-03-01T15:05:00Z',
    links: [
      { href: 'https://api.paypal.com/v2/payments/captures/42311647XV020574X', rel: 'self', method: 'GET' },
    ],
  },
};

export const PAYPAL_CAPTURE_REFUNDED = {
  id: 'WH-1GE84257G0350133W-6RW800890C634293G',
  create_time: '2026-03-03T14:00:10.000Z',
  resource_type: 'refund',
  event_type: 'PAYMENT.CAPTURE.REFUNDED',
  summary: 'A $ 50.0 USD capture payment was refunded',
  resource: {
    id: '1Y107995YT783435V',
    status: 'COMPLETED',
    amount: { currency_code: 'USD', value: '50.00' },
    create_time: '2026-03-03T14:00:00Z',
    update_time: '2026-03-03T14:00:00Z',
    links: [
      { href: 'https://api.paypal.com/v2/payments/refunds/1Y107995YT783435V', rel: 'self', method: 'GET' },
      { href: 'https://api.paypal.com/v2/payments/captures/42311647XV020574X', rel: 'up', method: 'GET' },
    ],
  },
};
