import { clientAddressOf } from './client-address';

describe('clientAddressOf', () => {
  it("takes the gateway's client address header when it holds an IP address", () => {
    expect(clientAddressOf({ ip: '10.0.0.2', headers: { 'x-sextant-client-ip': '203.0.113.7' } })).toBe(
      '203.0.113.7',
    );
    expect(clientAddressOf({ ip: '10.0.0.2', headers: { 'x-sextant-client-ip': '2001:db8::1' } })).toBe(
      '2001:db8::1',
    );
  });

  it('falls back to the connection address otherwise', () => {
    expect(clientAddressOf({ ip: '10.0.0.2', headers: {} })).toBe('10.0.0.2');
    expect(clientAddressOf({ ip: '10.0.0.2', headers: { 'x-sextant-client-ip': 'evil; drop table' } })).toBe(
      '10.0.0.2',
    );
    expect(clientAddressOf({ ip: '10.0.0.2', headers: { 'x-forwarded-for': '1.2.3.4' } })).toBe('10.0.0.2');
  });
});
