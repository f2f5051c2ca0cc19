import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAuth {
  url: string;
  /** A signed ES256 access token like the auth service's (iss/aud are the gateway's defaults). */
  token(claims: { tenantId: string; userId?: string; permissions?: string[] }): Promise<string>;
  /** Keys the exchange endpoint accepts, and what it answers for them. */
  keys: Map<string, { keyId: string; tenantId: string }>;
  /** API keys presented to the exchange endpoint, in order. */
  exchanges: string[];
  close(): Promise<void>;
}

/**
 * What the gateway needs from the auth service, served by a small HTTP server: the JWKS of a
 * freshly generated P-256 key, and `POST /api/v1/auth/api-keys/exchange` with the auth contract's
 * answers (200 with an access token, 401 problem+json). Every other auth path answers 404.
 */
export async function startStandInAuth(): Promise<StandInAuth> {
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const keys = new Map<string, { keyId: string; tenantId: string }>();
  const exchanges: string[] = [];

  const token = (claims: { tenantId: string; userId?: string; permissions?: string[] }) =>
    sign(privateKey, kid, claims);

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        if (request.url === '/.well-known/jwks.json') {
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ keys: [jwk] }));
          return;
        }
        if (request.method === 'POST' && request.url === '/api/v1/auth/api-keys/exchange') {
          const { apiKey } = JSON.parse(body || '{}') as { apiKey?: string };
          exchanges.push(apiKey ?? '');
          const known = apiKey ? keys.get(apiKey) : undefined;
          if (!known) {
            response.writeHead(401, { 'content-type': 'application/problem+json' }).end(
              JSON.stringify({
                type: 'about:blank',
                title: 'Unauthorized',
                status: 401,
                code: 'unauthorized',
              }),
            );
            return;
          }
          const scopes = ['events:write'];
          response.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              accessToken: await token({ tenantId: known.tenantId, permissions: scopes }),
              tokenType: 'Bearer',
              expiresIn: 600,
              keyId: known.keyId,
              tenantId: known.tenantId,
              scopes,
            }),
          );
          return;
        }
        response.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    keys,
    exchanges,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function sign(
  privateKey: KeyLike,
  kid: string,
  {
    tenantId,
    userId = randomUUID(),
    permissions = [],
  }: { tenantId: string; userId?: string; permissions?: string[] },
): Promise<string> {
  return new SignJWT({ tid: tenantId, perms: permissions })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setIssuer('https://auth.sextant.local')
    .setAudience('sextant-api')
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}
