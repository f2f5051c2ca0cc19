import { credentialOf } from './credentials';

const KEY = 'sxt_live_AAAAAAAAAAAAAAAAbbbbbbbbbbbbbbbb_2qck39';
const basic = (user: string, password = '') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('credentialOf', () => {
  it('reads an access token from a Bearer header', () => {
    expect(credentialOf({ authorization: 'Bearer eyJ.a.b' })).toEqual({ kind: 'bearer', token: 'eyJ.a.b' });
  });

  it('reads an API key as Bearer, as the Basic user name (Segment SDKs) and as X-API-Key', () => {
    const expected = { kind: 'api-key', key: KEY };
    expect(credentialOf({ authorization: `Bearer ${KEY}` })).toEqual(expected);
    expect(credentialOf({ authorization: basic(KEY) })).toEqual(expected);
    expect(credentialOf({ authorization: basic(KEY, 'ignored') })).toEqual(expected);
    expect(credentialOf({ 'x-api-key': KEY })).toEqual(expected);
  });

  it('calls other Authorization headers malformed, and nothing none', () => {
    expect(credentialOf({ authorization: basic('alice', 'secret') }).kind).toBe('malformed');
    expect(credentialOf({ authorization: 'Digest x' }).kind).toBe('malformed');
    expect(credentialOf({ authorization: 'Bearer' }).kind).toBe('malformed');
    expect(credentialOf({})).toEqual({ kind: 'none' });
  });
});
