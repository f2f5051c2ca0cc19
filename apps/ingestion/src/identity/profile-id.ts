import { createHash } from 'node:crypto';

/**
 * The profile id of a canonical key (`user:<id>`, `anon:<id>`, `email:<hash>`, `customer:<id>`):
 * a name-based (version 5, SHA-1) UUID, RFC 9562 section 5.5, with the tenant id as namespace. The
 * same tenant and key always give the same profile, on every replica, without a lookup.
 */
export function profileIdFor(tenantId: string, canonicalKey: string): string {
  return uuidV5(tenantId, canonicalKey);
}

export function uuidV5(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) throw new Error(`namespace must be a UUID, got '${namespace}'`);
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
