/**
 * A subject deletion filed while Kafka is down completes once the broker is back. The stack runs
 * on a private single-node broker of its own (tools/stack/kafka.sh with its own port and data
 * directory), so killing it disturbs no other test. The request is accepted from PostgreSQL alone
 * (the event waits in the outbox), and every service erases and confirms after the restart without
 * being restarted itself.
 */
import { gatewayOpenApiDocument } from '@sextant/contracts';
import {
  ContractClient,
  eventually,
  freePort,
  type RunningStack,
  type SignedUpOwner,
  signUp,
  startStack,
  testEnvironment,
} from '@sextant/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

interface SubjectRequest {
  requestId: string;
  status: string;
  services: { service: string; status: string }[];
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const CONFIRMING = ['attribution', 'forecasting', 'ingestion', 'reporting'];
const KAFKA_SH = path.resolve(__dirname, '../../stack/kafka.sh');

jest.setTimeout(600_000);

describe('a deletion request during a Kafka outage', () => {
  let kafkaEnv: NodeJS.ProcessEnv;
  let kafkaHome: string;
  let stack: RunningStack;
  let api: ContractClient;
  let owner: SignedUpOwner;
  const kafka = (command: 'start' | 'stop' | 'kill') =>
    promisify(execFile)('bash', [KAFKA_SH, command], { env: kafkaEnv, timeout: 120_000 });

  beforeAll(async () => {
    kafkaHome = mkdtempSync(path.join(tmpdir(), 'sextant-kafka-outage-'));
    // The controller listens on the next port: find two free ones in a row.
    let port = await freePort();
    while (!(await isFree(port + 1))) port = await freePort();
    kafkaEnv = { ...process.env, SEXTANT_KAFKA_PORT: String(port), SEXTANT_KAFKA_HOME: kafkaHome };
    await kafka('start');
    stack = await startStack({ ...testEnvironment(), brokers: [`127.0.0.1:${port}`] });
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    owner = await signUp(stack.urls.gateway, 'Outage shop');
  });
  afterAll(async () => {
    await stack?.stop();
    await kafka('stop').catch(() => undefined);
    rmSync(kafkaHome, { recursive: true, force: true });
  });

  it('accepts the request while the broker is dead, and completes it in every service once it is back', async () => {
    const userId = `user-outage-${randomUUID()}`;
    const sent = await api.request<{ accepted: number }>('POST', '/api/v1/ingestion/v1/batch', {
      headers: owner.headers,
      body: {
        batch: [
          { type: 'identify', messageId: randomUUID(), userId, anonymousId: `anon-${userId}`, traits: {} },
          { type: 'track', messageId: randomUUID(), userId, event: 'Product Viewed', properties: {} },
        ],
      },
    });
    expect(sent.body.accepted).toBe(2);

    await kafka('kill');
    const filed = await api.request<SubjectRequest>('POST', '/api/v1/ingestion/privacy/requests', {
      headers: owner.headers,
      body: { type: 'deletion', subject: { userId } },
    });
    expect(filed.status).toBe(202);
    const statusOf = async () =>
      (
        await api.request<SubjectRequest>('GET', '/api/v1/ingestion/privacy/requests/{requestId}', {
          params: { requestId: filed.body.requestId },
          headers: owner.headers,
        })
      ).body;
    // Ten seconds without a broker: nothing can have been confirmed, and nothing failed for good.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const during = await statusOf();
    expect(during.status).not.toBe('completed');
    expect(during.status).not.toBe('failed');

    await kafka('start');
    const done = await eventually(async () => {
      const request = await statusOf();
      const confirmed = request.services.filter((s) => s.status === 'completed').map((s) => s.service);
      return CONFIRMING.every((s) => confirmed.includes(s)) && request;
    }, 300_000);
    expect(done.status).toBe('completed');
    // The services kept running through the outage: none had to be restarted to finish.
    for (const service of ['ingestion', 'attribution', 'reporting', 'forecasting'] as const) {
      const ready = await fetch(`${stack.urls[service]}/health/ready`);
      expect({ service, status: ready.status }).toEqual({ service, status: 200 });
    }
  });
});
