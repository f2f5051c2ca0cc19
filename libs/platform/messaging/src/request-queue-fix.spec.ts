import { fixIdleRequestQueueTimer, requestQueueClass } from './request-queue-fix';

// kafkajs' real request queue (no broker needed: requests are handed to it and answered by hand).
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Queue {
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; size: number; payload: null }): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  destroy(): void;
}

function newQueue(): Queue {
  const RequestQueue = requestQueueClass() as unknown as new (options: object) => Queue;
  return new RequestQueue({
    requestTimeout: 30_000,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
  });
}

function request(correlationId: number, onSend: () => void = () => undefined) {
  return {
    entry: { correlationId, resolve: () => undefined, reject: () => undefined },
    expectResponse: true,
    sendRequest: onSend,
  };
}

describe('kafkajs request queue timer fix', () => {
  beforeAll(() => fixIdleRequestQueueTimer());

  it('targets kafkajs 2.2.4 (after an upgrade, check whether kafkajs fixed tulios/kafkajs#1556 itself)', () => {
    expect((require('kafkajs/package.json') as { version: string }).version).toBe('2.2.4');
  });

  it('arms no timer on a connection that has nothing left to send', async () => {
    const queue = newQueue();
    queue.push(request(1));
    queue.fulfillRequest({ correlationId: 1, size: 0, payload: null });
    const checks = jest.spyOn(queue, 'checkPendingRequests');
    await sleep(50);
    // Unfixed, the queue checks itself about once a millisecond from here on.
    expect(checks).not.toHaveBeenCalled();
    queue.destroy();
  });

  it('still sends a request held back by a broker throttle once the throttle ends', async () => {
    const queue = newQueue();
    let sent = false;
    queue.maybeThrottle(30);
    queue.push(
      request(1, () => {
        sent = true;
      }),
    );
    expect(sent).toBe(false);
    await sleep(120);
    expect(sent).toBe(true);
    queue.fulfillRequest({ correlationId: 1, size: 0, payload: null });
    const checks = jest.spyOn(queue, 'checkPendingRequests');
    await sleep(50);
    expect(checks).not.toHaveBeenCalled();
    queue.destroy();
  });
});
