import { createHmac } from 'node:crypto';
import { isFinalFailure, meetsSeverity, retryDelayMs, webhookSignature } from './webhook-message';
import { forbiddenAddress, guardedLookup, refuseWebhookUrl } from './webhook-url';
import { newWebhookSecret, sealingContext, sealSecret, unsealSecret } from './secret-sealing';

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe('webhook URL policy', () => {
  it.each([
    'http://example.com/hook',
    'http://127.0.0.1:8080/hook',
    'ftp://example.com/',
    'https://localhost/hook',
    'https://127.0.0.1/hook',
    'https://10.0.0.8/hook',
    'https://172.20.1.1/hook',
    'https://192.168.1.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/',
    'https://0.0.0.0/',
    'https://[::1]/hook',
    'https://[fe80::1]/hook',
    'https://[fd12::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://user:secret@hooks.example.com/',
  ])('refuses %s in production', (url) => expect(refuseWebhookUrl(url, production)).not.toBeNull());

  it.each(['https://hooks.slack.com/services/T0/B0/x', 'https://8.8.8.8/hook', 'https://[2001:4860::8888]/'])(
    'accepts %s',
    (url) => expect(refuseWebhookUrl(url, production)).toBeNull(),
  );

  it('accepts http only to 127.0.0.1, and only in development and test', () => {
    expect(refuseWebhookUrl('http://127.0.0.1:8080/hook', development)).toBeNull();
    expect(refuseWebhookUrl('http://localhost:8080/hook', development)).not.toBeNull();
    expect(refuseWebhookUrl('http://10.0.0.1/hook', development)).not.toBeNull();
    expect(refuseWebhookUrl('https://10.0.0.1/hook', development)).not.toBeNull();
  });

  it('judges resolved addresses, IPv4-mapped IPv6 as IPv4', () => {
    expect(forbiddenAddress('::ffff:10.1.1.1', production)).not.toBeNull();
    expect(forbiddenAddress('127.0.0.1', development)).toBeNull();
    expect(forbiddenAddress('93.184.215.14', production)).toBeNull();
  });
});

describe('guarded DNS lookup (the address actually connected to)', () => {
  const resolve = (policy: { allowLoopback: boolean }, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((done) =>
      guardedLookup(policy)('localhost', { all }, (error, address) => done({ error, address })),
    );

  it('refuses a name resolving to loopback in production, single or all addresses', async () => {
    for (const all of [false, true]) {
      const { error } = await resolve(production, all);
      expect(error?.code).toBe('EFORBIDDEN');
    }
  });

  it('resolves it in development', async () => {
    expect((await resolve(development, false)).error).toBeNull();
    const { address } = await resolve(development, true);
    expect(Array.isArray(address) && address.length).toBeGreaterThan(0);
  });
});

describe('webhook signing and retries', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 (RFC 4231 test case 2 as the key/message check)', () => {
    // RFC 4231 4.3: key "Jefe", data "what do ya want for nothing?".
    const rfc = createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex');
    expect(rfc).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(webhookSignature('Jefe', 'want for nothing?', 0)).toBe(
      `t=0,v1=${createHmac('sha256', 'Jefe').update('0.want for nothing?').digest('hex')}`,
    );
  });

  it('backs off exponentially with +-20% jitter: about an hour over six attempts', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 120_000, () => 0.5))).toEqual([
      120_000, 240_000, 480_000, 960_000, 1_920_000,
    ]);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(3200);
    expect(retryDelayMs(3, 1000, () => 1)).toBe(4800);
  });

  it('gives up at once on 4xx other than 408 and 429', () => {
    expect([400, 401, 404, 410, 422].every(isFinalFailure)).toBe(true);
    expect([408, 429, 500, 502, 503, 200].some(isFinalFailure)).toBe(false);
  });

  it('filters by minimum severity', () => {
    expect(meetsSeverity('high', 'low')).toBe(true);
    expect(meetsSeverity('medium', 'medium')).toBe(true);
    expect(meetsSeverity('low', 'medium')).toBe(false);
  });

  it('seals secrets bound to their subscription', () => {
    const key = Buffer.alloc(32, 7);
    const secret = newWebhookSecret();
    const sealed = sealSecret(secret, key, sealingContext('t1', 'w1'));
    expect(sealed).not.toContain(secret.slice(6));
    expect(unsealSecret(sealed, key, sealingContext('t1', 'w1'))).toBe(secret);
    expect(() => unsealSecret(sealed, key, sealingContext('t1', 'w2'))).toThrow();
    expect(() => unsealSecret(sealed, Buffer.alloc(32, 8), sealingContext('t1', 'w1'))).toThrow();
  });
});
