import { randomBytes, randomUUID } from 'node:crypto';

export interface SignedUpOwner {
  tenantId: string;
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  /** `authorization` header carrying the access token. */
  headers: { authorization: string };
}

/** Registers a new tenant through the gateway and logs its owner in, as a new customer would. */
export async function signUp(gatewayUrl: string, tenantName = 'Test shop'): Promise<SignedUpOwner> {
  const email = `${randomUUID()}@example.com`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<Record<string, string>>;
  };
  const registered = await post('/api/v1/auth/register', { tenantName, email, password });
  const tokens = await post('/api/v1/auth/login', { email, password });
  return {
    tenantId: registered.tenantId,
    userId: registered.userId,
    email,
    password,
    accessToken: tokens.accessToken,
    headers: { authorization: `Bearer ${tokens.accessToken}` },
  };
}
