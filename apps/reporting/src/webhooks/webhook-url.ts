import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook must never reach outside development and test (SSRF): private, loopback,
 * link-local (cloud metadata), carrier-grade NAT, multicast, reserved and unspecified ranges.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export interface UrlPolicy {
  /** development and test: http://127.0.0.1 and loopback addresses are accepted. */
  allowLoopback: boolean;
}

/** Why `address` may not be reached, or null when it may. IPv4-mapped IPv6 is judged as IPv4. */
export function forbiddenAddress(address: string, policy: UrlPolicy): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowLoopback && LOOPBACK.check(ip, family)) return null;
  return FORBIDDEN.check(ip, family) ? `${address} is a private, loopback or reserved address` : null;
}

/** Why a subscription URL is refused, or null. Names are checked again when they resolve. */
export function refuseWebhookUrl(raw: string, policy: UrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:') {
    if (!policy.allowLoopback) return 'must be https';
    if (host !== '127.0.0.1') return 'http is only allowed to 127.0.0.1 (development and test)';
    return null;
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (host.toLowerCase() === 'localhost' || host.toLowerCase().endsWith('.localhost'))
    return policy.allowLoopback ? null : 'localhost is not allowed';
  return isIP(host) ? forbiddenAddress(host, policy) : null;
}

/**
 * A DNS lookup for node:http(s) that refuses forbidden addresses: the check applies to the
 * address actually connected to, so a name that resolves differently later (DNS rebinding)
 * cannot slip through. (Literal IP hosts skip lookup; `refuseWebhookUrl` checks those.)
 */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => forbiddenAddress(a.address, policy)).find(Boolean);
      if (refused) return callback(Object.assign(new Error(refused), { code: 'EFORBIDDEN' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
