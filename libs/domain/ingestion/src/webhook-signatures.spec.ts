import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { PAYPAL_SANDBOX_2015 } from './__fixtures__/paypal-sandbox-2015';
import { parseWooCommercePing, verifyShopifyWebhook, verifyWooCommerceWebhook } from './hmac-webhooks';
import { isPayPalCertUrl, payPalSignedText, verifyPayPalWebhook } from './paypal-signature';
import { verifyStripeWebhook } from './stripe-signature';

const body = Buffer.from('{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00"}');

/** base64(HMAC-SHA256(body, secret)), computed here from the providers' formula. */
function base64Hmac(secret: string, raw: Uint8Array): string {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

describe('Shopify X-Shopify-Hmac-Sha256', () => {
  const secret = 'shpss_app_secret';
  const signed = { 'X-Shopify-Hmac-Sha256': base64Hmac(secret, body) };

  it('accepts the base64 HMAC-SHA256 of the raw body, whatever the header case', () => {
    expect(verifyShopifyWebhook({ rawBody: body, headers: signed, secret })).toEqual({ ok: true });
    expect(
      verifyShopifyWebhook({
        rawBody: body,
        headers: { 'x-shopify-hmac-sha256': signed['X-Shopify-Hmac-Sha256'] },
        secret,
      }),
    ).toEqual({ ok: true });
  });

  it('accepts any of several secrets (rotation)', () => {
    expect(verifyShopifyWebhook({ rawBody: body, headers: signed, secret: ['old', secret] })).toEqual({
      ok: true,
    });
  });

  it('refuses a body changed by one byte, a wrong secret, a missing or malformed header', () => {
    const changed = Buffer.from(body);
    changed[10] ^= 1;
    expect(verifyShopifyWebhook({ rawBody: changed, headers: signed, secret })).toMatchObject({
      ok: false,
      code: 'signature_mismatch',
      field: 'X-Shopify-Hmac-Sha256',
    });
    expect(verifyShopifyWebhook({ rawBody: body, headers: signed, secret: 'other' })).toMatchObject({
      code: 'signature_mismatch',
    });
    expect(verifyShopifyWebhook({ rawBody: body, headers: {}, secret })).toMatchObject({
      code: 'missing_header',
    });
    expect(
      verifyShopifyWebhook({ rawBody: body, headers: { 'X-Shopify-Hmac-Sha256': 'abc' }, secret }),
    ).toMatchObject({ code: 'malformed_header' });
    expect(verifyShopifyWebhook({ rawBody: body, headers: signed, secret: '' })).toMatchObject({
      code: 'missing_secret',
    });
  });

  it('refuses a hex HMAC (the wrong encoding)', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(
      verifyShopifyWebhook({ rawBody: body, headers: { 'X-Shopify-Hmac-Sha256': hex }, secret }),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('WooCommerce X-WC-Webhook-Signature', () => {
  const secret = 'wc-secret';

  it('accepts base64 HMAC-SHA256 of the raw body and refuses a Shopify header in its place', () => {
    const signature = base64Hmac(secret, body);
    expect(
      verifyWooCommerceWebhook({ rawBody: body, headers: { 'X-WC-Webhook-Signature': signature }, secret }),
    ).toEqual({ ok: true });
    expect(
      verifyWooCommerceWebhook({ rawBody: body, headers: { 'X-Shopify-Hmac-Sha256': signature }, secret }),
    ).toMatchObject({ code: 'missing_header', field: 'X-WC-Webhook-Signature' });
  });

  it('recognises the unsigned creation ping, and only that', () => {
    expect(parseWooCommercePing(Buffer.from('webhook_id=42'), {})).toEqual({ webhookId: '42' });
    expect(
      parseWooCommercePing(Buffer.from('webhook_id=42'), { 'X-WC-Webhook-Signature': 'x' }),
    ).toBeUndefined();
    expect(parseWooCommercePing(Buffer.from('{"webhook_id":42}'), {})).toBeUndefined();
    expect(parseWooCommercePing(Buffer.from('webhook_id=42&x=1'), {})).toBeUndefined();
  });
});

describe('Stripe-Signature', () => {
  const secret = 'whsec_test_secret';
  const t = 1_700_000_000;
  const now = t * 1000 + 5_000;
  /** Stripe's formula: hex HMAC-SHA256 of "{t}.{body}". */
  const v1 = (ts: number, raw: Uint8Array = body, key = secret) =>
    createHmac('sha256', key).update(`${ts}.${raw.toString()}`).digest('hex');
  const verifyHeader = (header: string | undefined, options: { at?: number; tolerance?: number } = {}) =>
    verifyStripeWebhook({
      rawBody: body,
      headers: header === undefined ? {} : { 'stripe-signature': header },
      secret,
      now: options.at ?? now,
      toleranceSeconds: options.tolerance,
    });

  it('accepts t=...,v1=... when any v1 matches, ignoring other schemes', () => {
    expect(verifyHeader(`t=${t},v1=${v1(t)}`)).toEqual({ ok: true });
    expect(verifyHeader(`t=${t},v1=${'0'.repeat(64)},v1=${v1(t)},v0=${'1'.repeat(64)}`)).toEqual({
      ok: true,
    });
  });

  it('gives a reason for each way a header fails', () => {
    expect(verifyHeader(undefined)).toMatchObject({ code: 'missing_header', field: 'Stripe-Signature' });
    expect(verifyHeader(`t=${t}`)).toMatchObject({ code: 'no_signature' });
    expect(verifyHeader(`t=${t},v0=${v1(t)}`)).toMatchObject({ code: 'no_signature' });
    expect(verifyHeader(`v1=${v1(t)}`)).toMatchObject({ code: 'bad_timestamp' });
    expect(verifyHeader(`t=soon,v1=${v1(t)}`)).toMatchObject({ code: 'bad_timestamp' });
    expect(verifyHeader(`garbage`)).toMatchObject({ code: 'malformed_header' });
    expect(verifyHeader(`t=${t},v1=${v1(t, body, 'whsec_other')}`)).toMatchObject({
      code: 'signature_mismatch',
    });
    expect(verifyHeader(`t=${t + 1},v1=${v1(t)}`)).toMatchObject({ code: 'signature_mismatch' });
  });

  it('refuses a correctly signed delivery replayed outside the tolerance (default 300 s, configurable)', () => {
    const header = `t=${t},v1=${v1(t)}`;
    expect(verifyHeader(header, { at: (t + 300) * 1000 })).toEqual({ ok: true });
    expect(verifyHeader(header, { at: (t + 301) * 1000 })).toMatchObject({ code: 'outside_tolerance' });
    expect(verifyHeader(header, { at: (t - 301) * 1000 })).toMatchObject({ code: 'outside_tolerance' });
    expect(verifyHeader(header, { at: (t + 3600) * 1000, tolerance: 7200 })).toEqual({ ok: true });
  });
});

describe('PayPal offline verification', () => {
  const sample = PAYPAL_SANDBOX_2015;
  const rawBody = Buffer.from(sample.body, 'utf8');
  const input = {
    rawBody,
    headers: sample.headers,
    webhookId: sample.webhookId,
    certificatePem: sample.certificatePem,
  };

  it('signs the text id|time|webhook id|decimal CRC32 of the body (the SDK test values)', () => {
    expect(
      payPalSignedText(
        sample.headers['paypal-transmission-id'],
        sample.headers['paypal-transmission-time'],
        sample.webhookId,
        rawBody,
      ),
    ).toBe(`dfb3be50-fd74-11e4-8bf3-77339302725b|2015-05-18T15:45:13Z|4JH86294D6297924G|${sample.bodyCrc32}`);
  });

  it('accepts the real 2015 sandbox webhook', () => {
    expect(verifyPayPalWebhook(input)).toEqual({ ok: true });
  });

  it('rejects it under SHA-1, with one byte of the body changed, or for another webhook id', () => {
    expect(
      verifyPayPalWebhook({ ...input, headers: { ...sample.headers, 'paypal-auth-algo': 'SHA1withRSA' } }),
    ).toMatchObject({ ok: false, code: 'unsupported_algorithm', field: 'paypal-auth-algo' });
    const changed = Buffer.from(rawBody);
    changed[changed.indexOf('20.00')] = '3'.charCodeAt(0);
    expect(verifyPayPalWebhook({ ...input, rawBody: changed })).toMatchObject({ code: 'signature_mismatch' });
    expect(verifyPayPalWebhook({ ...input, webhookId: '4JH86294D6297924H' })).toMatchObject({
      code: 'signature_mismatch',
    });
  });

  it("refuses a certificate URL off PayPal, a certificate that is not PayPal's, or one expired at `now`", () => {
    expect(
      verifyPayPalWebhook({
        ...input,
        headers: { ...sample.headers, 'paypal-cert-url': 'https://evil.example/cert.pem' },
      }),
    ).toMatchObject({ code: 'untrusted_certificate', field: 'paypal-cert-url' });
    expect(verifyPayPalWebhook({ ...input, now: Date.UTC(2026, 0, 1) })).toMatchObject({
      code: 'untrusted_certificate',
      field: 'certificatePem',
    });
    expect(verifyPayPalWebhook({ ...input, now: Date.UTC(2016, 0, 1) })).toEqual({ ok: true });
    expect(verifyPayPalWebhook({ ...input, certificatePem: 'not a pem' })).toMatchObject({
      code: 'untrusted_certificate',
    });
  });

  it("refuses a valid RSA-SHA256 signature of the right text made with a key other than the certificate's", () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const text = payPalSignedText(
      sample.headers['paypal-transmission-id'],
      sample.headers['paypal-transmission-time'],
      sample.webhookId,
      rawBody,
    );
    const signature = sign('sha256', Buffer.from(text), privateKey).toString('base64');
    expect(
      verifyPayPalWebhook({ ...input, headers: { ...sample.headers, 'paypal-transmission-sig': signature } }),
    ).toMatchObject({ code: 'signature_mismatch' });
  });

  it('names the missing header', () => {
    const headers: Record<string, string> = { ...sample.headers };
    delete headers['paypal-transmission-sig'];
    expect(verifyPayPalWebhook({ ...input, headers })).toMatchObject({
      code: 'missing_header',
      field: 'paypal-transmission-sig',
    });
  });
});

describe('isPayPalCertUrl', () => {
  it.each([
    ['https://api.paypal.com/v1/notifications/certs/CERT-1', true],
    ['https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1', true],
    ['https://API.SANDBOX.PAYPAL.COM/v1/notifications/certs/CERT-1', true],
    ['http://api.paypal.com/v1/notifications/certs/CERT-1', false],
    ['https://api.paypal.com.evil.example/cert', false],
    ['https://evilpaypal.com/cert', false],
    ['https://www.paypal.com/cert', false],
    ['https://api.paypal.com:8443/cert', false],
    ['https://user:pw@api.paypal.com/cert', false],
    ['not a url', false],
  ])('%s -> %s', (url, expected) => {
    expect(isPayPalCertUrl(url)).toBe(expected);
  });
});
