/**
 * Live updates over a WebSocket through the gateway (the one door): the upgrade passes through to
 * reporting, a tenant's socket receives the KPI change its own spend causes, and another
 * tenant's socket on the same route receives nothing; a bad token is refused with the service's 401.
 */
import { type RunningStack, type SignedUpOwner, signUp, startStack, testEnvironment } from '@sextant/testing';
import WebSocket from 'ws';

jest.setTimeout(300_000);

interface LiveMessage {
  id: string;
  event: string;
  data: unknown;
}

describe('live updates over WebSocket through the gateway', () => {
  let stack: RunningStack;
  let shopA: SignedUpOwner;
  let shopB: SignedUpOwner;
  const sockets: WebSocket[] = [];

  const open = (owner: SignedUpOwner) =>
    new Promise<{ socket: WebSocket; messages: LiveMessage[] }>((resolve, reject) => {
      const token = owner.headers.authorization.replace(/^Bearer /, '');
      const url = `${stack.urls.gateway.replace(/^http/, 'ws')}/api/v1/reporting/live`;
      const socket = new WebSocket(url, ['sextant.live.v1', `bearer.${token}`]);
      sockets.push(socket);
      const messages: LiveMessage[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data)) as LiveMessage));
      socket.once('open', () => resolve({ socket, messages }));
      socket.once('error', reject);
    });

  beforeAll(async () => {
    stack = await startStack(testEnvironment(), ['auth', 'ingestion', 'reporting', 'gateway']);
    shopA = await signUp(stack.urls.gateway, 'Live shop A');
    shopB = await signUp(stack.urls.gateway, 'Live shop B');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await stack?.stop();
  });

  it("delivers a tenant's KPI change to its own socket only", async () => {
    const a = await open(shopA);
    const b = await open(shopB);
    expect(a.socket.protocol).toBe('sextant.live.v1');
    // Spend is one of the facts that change the KPIs (reporting announces them as kpi.changed).
    const sent = await fetch(`${stack.urls.gateway}/api/v1/ingestion/spend`, {
      method: 'POST',
      headers: { ...shopA.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        rows: [
          { date: '2026-11-01', channel: 'Paid Search', campaign: 'live', currency: 'USD', amount: '12.50' },
        ],
      }),
    });
    expect(sent.status).toBeLessThan(300);
    const deadline = Date.now() + 60_000;
    while (!a.messages.some((m) => m.event === 'kpi.changed') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.messages.map((m) => m.event)).toContain('kpi.changed');
    // B's socket was open the whole time on the same route and reporting replica.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(b.messages).toEqual([]);
  });

  it("refuses a handshake without a valid token with the service's 401", async () => {
    const url = `${stack.urls.gateway.replace(/^http/, 'ws')}/api/v1/reporting/live`;
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(url, ['sextant.live.v1', 'bearer.not-a-token']);
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => reject(new Error('the socket opened without a valid token')));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});
