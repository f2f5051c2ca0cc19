import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { loadGatewayConfig } from '../config';
import { upstreamsFrom } from './upstream-proxy';
import { inTurn, UpstreamDispatcher } from './upstream-replicas';

/** An HTTP server that answers every request with its own name. */
async function replica(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => response.end(name));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('upstream replicas', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));

  it('balances requests to a service over its replicas, and sends others to their own origin', async () => {
    const [a, b, other] = await Promise.all([replica('a'), replica('b'), replica('other')]);
    servers.push(a.server, b.server, other.server);
    const dispatcher = new UpstreamDispatcher(
      { ingestion: [a.url, b.url], reporting: [other.url] },
      { connections: 4 },
    );
    const answer = async (url: string) => (await request(`${url}/ping`, { dispatcher })).body.text();

    const answers: string[] = [];
    for (let n = 0; n < 10; n++) answers.push(await answer(a.url));
    expect(answers.filter((name) => name === 'a')).toHaveLength(5);
    expect(answers.filter((name) => name === 'b')).toHaveLength(5);
    expect(await answer(other.url)).toBe('other');
    await dispatcher.close();
  });

  it('moves past a replica that is down', async () => {
    const up = await replica('up');
    servers.push(up.server);
    const down = await replica('down');
    down.server.close();
    await once(down.server, 'close');
    const dispatcher = new UpstreamDispatcher({ ingestion: [down.url, up.url] }, { connections: 4 });
    const answers: string[] = [];
    for (let n = 0; n < 20; n++) {
      const answer = await request(`${down.url}/ping`, { dispatcher }).then(
        (response) => response.body.text(),
        () => 'failed',
      );
      answers.push(answer);
    }
    // Refused connections weigh the dead replica down: more requests reach the live one than turns
    // alone would send (10 of 20), and the balance is kept from one request to the next.
    expect(answers.filter((name) => name === 'up').length).toBeGreaterThan(10);
    await dispatcher.close();
  });

  it("asks replicas in turn for the gateway's own calls", () => {
    const next = inTurn(['http://a', 'http://b']);
    expect([next(), next(), next()]).toEqual(['http://a', 'http://b', 'http://a']);
  });

  it('reads comma-separated replica URLs from the configuration, refusing replicas with different paths', () => {
    const env = { KAFKA_BROKERS: 'localhost:9092' };
    const upstreams = upstreamsFrom(
      loadGatewayConfig({ ...env, INGESTION_URL: 'http://10.0.0.1:3002,http://10.0.0.2:3002' }),
    );
    expect(upstreams.ingestion).toEqual(['http://10.0.0.1:3002', 'http://10.0.0.2:3002']);
    expect(upstreams.reporting).toEqual(['http://127.0.0.1:3005']);
    expect(() =>
      upstreamsFrom(loadGatewayConfig({ ...env, INGESTION_URL: 'http://a:1/x,http://b:1/y' })),
    ).toThrow('differ in path');
  });
});
