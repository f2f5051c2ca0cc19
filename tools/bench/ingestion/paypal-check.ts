/**
 * Checks offline PayPal webhook verification against the real sandbox delivery kept in
 * /work/shared/datasets/webhooks (PayPal Node SDK test data): it must be accepted as sent, and refused
 * under SHA-1 (the auth-algo header, and the raw RSA check with SHA-1) and with one byte of the body
 * changed. Exits 1 if any expectation fails.
 *
 *   swc libs/domain/ingestion tools/bench/ingestion -d dist --quiet
 *   node dist/tools/bench/ingestion/paypal-check.js [--dir /work/shared/datasets/webhooks]
 */
import { verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { payPalSignedText, verifyPayPalWebhook } from '@sextant/domain/ingestion';

const { values: args } = parseArgs({
  options: { dir: { type: 'string', default: '/work/shared/datasets/webhooks' } },
});
const sample = JSON.parse(readFileSync(path.join(args.dir as string, 'paypal-sandbox-2015.json'), 'utf8'));
const certificatePem = readFileSync(path.join(args.dir as string, sample.cert_file), 'utf8');
const rawBody = Buffer.from(sample.body, 'utf8');
const headers = {
  'paypal-transmission-id': sample.transmission_id,
  'paypal-transmission-time': sample.transmission_time,
  'paypal-transmission-sig': sample.transmission_sig,
  'paypal-auth-algo': 'SHA256withRSA',
  'paypal-cert-url': 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77',
};
const input = { rawBody, headers, webhookId: sample.webhook_id, certificatePem };

const changed = Buffer.from(rawBody);
changed[changed.length - 2] ^= 1;
const signedText = payPalSignedText(
  sample.transmission_id,
  sample.transmission_time,
  sample.webhook_id,
  rawBody,
);
const publicKey = new X509Certificate(certificatePem).publicKey;

const checks: [string, boolean, boolean][] = [
  ['accepted as sent (SHA256withRSA)', verifyPayPalWebhook(input).ok, true],
  [
    'auth-algo SHA1withRSA',
    verifyPayPalWebhook({ ...input, headers: { ...headers, 'paypal-auth-algo': 'SHA1withRSA' } }).ok,
    false,
  ],
  [
    'raw RSA check with SHA-1',
    verify('sha1', Buffer.from(signedText), publicKey, Buffer.from(sample.transmission_sig, 'base64')),
    false,
  ],
  ['one byte of the body changed', verifyPayPalWebhook({ ...input, rawBody: changed }).ok, false],
];
let failed = 0;
if (signedText !== sample.signed_message) {
  failed++;
  console.log(`FAIL signed text ${signedText} differs from the sample's ${sample.signed_message}`);
}
for (const [name, actual, expected] of checks) {
  const pass = actual === expected;
  if (!pass) failed++;
  console.log(
    `${pass ? 'ok  ' : 'FAIL'} ${name}: ${actual ? 'accepted' : 'rejected'} (expected ${expected ? 'accepted' : 'rejected'})`,
  );
}
process.exit(failed === 0 ? 0 : 1);
