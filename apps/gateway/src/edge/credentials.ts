import { API_KEY_PREFIX } from '@sextant/platform/auth';
import type { IncomingHttpHeaders } from 'node:http';

/** What a request presents to prove who it is. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'api-key'; key: string }
  | { kind: 'malformed'; reason: string };

const NONE: Credential = { kind: 'none' };
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const BASIC = /^Basic +([A-Za-z0-9+/]+=*) *$/i;

/**
 * Reads the credential of a request: an access token (`Authorization: Bearer <jwt>`), or an API
 * key as `Authorization: Bearer sxt_live_...`, as `Authorization: Basic base64("<key>:")` (Segment
 * SDKs send their write key as the Basic user name with an empty password), or as `X-API-Key`.
 */
export function credentialOf(headers: IncomingHttpHeaders): Credential {
  const authorization = headers.authorization;
  if (authorization) {
    const bearer = BEARER.exec(authorization);
    if (bearer) {
      const token = bearer[1];
      return token.startsWith(API_KEY_PREFIX) ? { kind: 'api-key', key: token } : { kind: 'bearer', token };
    }
    const basic = BASIC.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon === -1 ? decoded : decoded.slice(0, colon);
      if (user.startsWith(API_KEY_PREFIX)) return { kind: 'api-key', key: user };
      return { kind: 'malformed', reason: 'Basic credentials must carry an API key as the user name.' };
    }
    return { kind: 'malformed', reason: 'The Authorization header must be a Bearer token or Basic API key.' };
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return { kind: 'api-key', key: apiKey.trim() };
  return NONE;
}
