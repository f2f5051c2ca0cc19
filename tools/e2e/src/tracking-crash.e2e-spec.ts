import { eventually, type RunningStack, signUp, startStack, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { TopicReader } from './topic-reader';

interface Accepted {
  tenantId: string;
  eventId: string;
  messageId: string;
}

describe('tracking survives kill -9 of ingestion under load', () => {
  // A topic prefix of its own: the other e2e files start stacks in parallel, and concurrent
  // creation of the same topics at start-up can fail ("does not host this topic-partition").
  const env = { ...testEnvironment(), topicPrefix: `${testEnvironment().topicPrefix}crash.` };
  const topic = `${env.topicPrefix}ingestion.event.accepted.v1`;
  let stack: RunningStack;
  let reader: TopicReader;

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'ingestion', 'gateway'], { RATE_LIMIT_MAX: '1000000' });
    reader = new TopicReader(env.brokers, [topic]);
    await reader.start();
  });
  afterAll(async () => {
    await reader?.stop();
    await stack?.stop();
  });

  it('publishes every event that got a 2xx, each messageId as one event, after a crash mid-load', async () => {
    const owner = await signUp(stack.urls.gateway, 'Crash shop');
    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    let failures = 0;
    let running = true;
    const client = async () => {
      while (running) {
        const events = Array.from({ length: 25 }, () => ({
          type: 'track',
          event: 'Load',
          messageId: randomUUID(),
          anonymousId: `anon-${randomUUID()}`,
        }));
        for (const e of events) attempted.add(e.messageId);
        try {
          const response = await fetch(`${stack.urls.gateway}/api/v1/ingestion/v1/batch`, {
            method: 'POST',
            headers: { ...owner.headers, 'content-type': 'application/json' },
            body: JSON.stringify({ batch: events }),
          });
          await response.arrayBuffer();
          if (response.ok) for (const e of events) acknowledged.add(e.messageId);
          else {
            failures++;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        } catch {
          failures++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await eventually(async () => acknowledged.size >= 500, 60_000, 50);
    const beforeCrash = acknowledged.size;
    await stack.restart('ingestion', 'SIGKILL');
    const afterRestart = acknowledged.size;
    await eventually(async () => acknowledged.size >= afterRestart + 500, 60_000, 50);
    running = false;
    await Promise.all(clients);
    expect(failures).toBeGreaterThan(0); // the crash was felt by clients mid-request
    expect(beforeCrash).toBeGreaterThan(0);

    const published = await eventually(
      async () => {
        const mine = reader.read<Accepted>(topic, (e) => e.tenantId === owner.tenantId);
        const ids = new Set(mine.map((m) => m.value.messageId));
        return [...acknowledged].every((id) => ids.has(id)) ? mine : undefined;
      },
      90_000,
      500,
    );
    const eventIdsOf = new Map<string, Set<string>>();
    for (const message of published) {
      const set = eventIdsOf.get(message.value.messageId) ?? new Set<string>();
      set.add(message.value.eventId);
      eventIdsOf.set(message.value.messageId, set);
      expect(attempted.has(message.value.messageId)).toBe(true);
    }
    // One event per messageId: never a second event for a message (a relay crash between Kafka's
    // acknowledgement and the outbox commit could re-send the same event-id; consumers drop those).
    expect([...eventIdsOf.values()].filter((ids) => ids.size > 1)).toEqual([]);
    const copies = published.length - eventIdsOf.size;
    process.stdout.write(
      `crash test: ${acknowledged.size} acknowledged, ${eventIdsOf.size} published events, ${copies} re-sent copies, ${failures} failed requests\n`,
    );
  });
});
