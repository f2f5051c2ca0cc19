import { SERVICE_NAME } from '@sextant/platform/auth';
import type { JWK } from 'jose';
import { type Permission, ROLE_PERMISSIONS } from '../access/roles';

/** A service allowed to get tokens: its public key (the private half stays in its own Secret). */
export interface ServiceClient {
  publicKey: JWK;
  permissions: Permission[];
}

const KNOWN_PERMISSIONS = new Set<string>(Object.values(ROLE_PERMISSIONS).flat());

/**
 * Parses AUTH_SERVICE_CLIENTS: `{"<service>": {"publicKey": <P-256 public JWK>, "permissions": [...]}}`.
 * Returns the clients and the problems found (a private key pasted by mistake is one).
 */
export function parseServiceClients(raw: string): {
  clients: Map<string, ServiceClient>;
  problems: string[];
} {
  const clients = new Map<string, ServiceClient>();
  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw || '{}');
  } catch {
    return { clients, problems: ['AUTH_SERVICE_CLIENTS must be JSON'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { clients, problems: ['AUTH_SERVICE_CLIENTS must be a JSON object keyed by service name'] };
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const where = `AUTH_SERVICE_CLIENTS.${name}`;
    const client = value as Partial<ServiceClient> | null;
    const key = client?.publicKey as JWK | undefined;
    if (!SERVICE_NAME.test(name)) problems.push(`${where}: the name must match ${SERVICE_NAME}`);
    else if (!key || key.kty !== 'EC' || key.crv !== 'P-256' || !key.x || !key.y)
      problems.push(`${where}.publicKey must be a P-256 public JWK`);
    else if (key.d)
      problems.push(`${where}.publicKey contains a private key: configure only the public half`);
    else if (
      !Array.isArray(client!.permissions) ||
      !client!.permissions.every((p) => KNOWN_PERMISSIONS.has(p))
    )
      problems.push(`${where}.permissions must be a list of known permissions`);
    else
      clients.set(name, {
        publicKey: { kty: 'EC', crv: 'P-256', x: key.x, y: key.y },
        permissions: client!.permissions,
      });
  }
  return { clients, problems };
}
