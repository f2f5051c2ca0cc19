import { Analytics } from '@segment/analytics-node';
import { gatewayOpenApiDocument } from '@sextant/contracts';
import {
  ContractClient,
  eventually,
  type RunningStack,
  type SignedUpOwner,
  signUp,
  startStack,
  testEnvironment,
} from '@sextant/testing';
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { TopicReader } from './topic-reader';

interface Accepted {
  tenantId: string;
  eventId: string;
  messageId: string;
  type: string;
  profileId: string;
  userId: string | null;
  anonymousId: string | null;
  timestamp: string;
  receivedAt: string;
  sourceId: string | null;
  touch: {
    channel: string;
    source: string | null;
    clickIdType: string | null;
    clickId: string | null;
  } | null;
  context: Record<string, unknown>;
  traits: Record<string, unknown>;
}
interface Merged {
  tenantId: string;
  profileId: string;
  mergedProfileIds: string[];
  reason: string;
}
interface Rejected {
  tenantId: string;
  deadLetterId: string;
  problems: { path: string; reason: string }[];
}
interface BatchReceipt {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: {
    index: number;
    status: string;
    deadLetterId?: string;
    errors?: { path: string; reason: string }[];
  }[];
}

/** RFC 9562 v5 UUID, computed here independently of the service's implementation. */
function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const trackEvent = (overrides: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Product Viewed',
  messageId: randomUUID(),
  anonymousId: `anon-${randomUUID()}`,
  properties: { sku: 'SKU-1' },
  ...overrides,
});

describe('tracking API through the gateway (real processes, PostgreSQL and Kafka)', () => {
  const env = testEnvironment();
  const topic = (name: string) => `${env.topicPrefix}${name}`;
  let stack: RunningStack;
  let api: ContractClient;
  let reader: TopicReader;

  beforeAll(async () => {
    stack = await startStack(env, ['auth', 'ingestion', 'gateway']);
    api = new ContractClient(stack.urls.gateway, gatewayOpenApiDocument);
    reader = new TopicReader(env.brokers, [
      topic('ingestion.event.accepted.v1'),
      topic('ingestion.identity.merged.v1'),
      topic('ingestion.event.rejected.v1'),
    ]);
    await reader.start();
  });
  afterAll(async () => {
    await reader?.stop();
    await stack?.stop();
  });

  const acceptedOf = (owner: SignedUpOwner) =>
    reader.read<Accepted>(topic('ingestion.event.accepted.v1'), (e) => e.tenantId === owner.tenantId);
  /** The tenant's published events are exactly these, once each (a second's room for a wrong copy). */
  const expectPublishedOnce = async (owner: SignedUpOwner, messageIds: string[]) => {
    await eventually(async () => acceptedOf(owner).length >= messageIds.length);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(
      acceptedOf(owner)
        .map((m) => m.value.messageId)
        .sort(),
    ).toEqual([...messageIds].sort());
  };
  const batch = (owner: SignedUpOwner, events: unknown[], extra: Record<string, unknown> = {}) =>
    api.request<BatchReceipt>('POST', '/api/v1/ingestion/v1/batch', {
      body: { batch: events, ...extra },
      headers: owner.headers,
    });

  it('publishes each accepted event once, keyed by tenant and profile; a resent batch is all duplicates', async () => {
    const owner = await signUp(stack.urls.gateway, 'Dedup shop');
    const events = Array.from({ length: 20 }, () => trackEvent());
    const first = await batch(owner, events);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 20, duplicates: 0, rejected: 0, results: [] });
    const again = await batch(owner, events);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 20, rejected: 0 });

    const published = await eventually(async () => {
      const found = acceptedOf(owner);
      return found.length >= 20 ? found : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a wrong second copy to arrive
    const messageIds = acceptedOf(owner).map((m) => m.value.messageId);
    expect(messageIds.sort()).toEqual(events.map((e) => e.messageId).sort());
    for (const message of published) {
      const anonymousId = events.find((e) => e.messageId === message.value.messageId)!.anonymousId;
      const profileId = uuidV5(owner.tenantId, `anon:${anonymousId}`);
      expect(message.value.profileId).toBe(profileId);
      expect(message.key).toBe(`${owner.tenantId}:${profileId}`);
      expect(message.headers['event-id']).toBe(message.value.eventId);
      expect(message.value.sourceId).toBe(owner.userId);
    }
  });

  it('accepts a messageId once under concurrent duplicate submissions', async () => {
    const owner = await signUp(stack.urls.gateway, 'Race shop');
    const events = Array.from({ length: 30 }, () => trackEvent());
    const receipts = await Promise.all(Array.from({ length: 8 }, () => batch(owner, events)));
    expect(receipts.every((r) => r.status === 200)).toBe(true);
    expect(receipts.reduce((sum, r) => sum + r.body.accepted, 0)).toBe(30);
    expect(receipts.reduce((sum, r) => sum + r.body.duplicates, 0)).toBe(7 * 30);
    await expectPublishedOnce(
      owner,
      events.map((e) => e.messageId),
    );
  });

  it('answers single calls sent at once each for its own event: accepted once, duplicates, and dead letters of its own', async () => {
    const owner = await signUp(stack.urls.gateway, 'Busy site');
    const events = Array.from({ length: 10 }, () => trackEvent());
    const bad = Array.from({ length: 3 }, (_, n) => ({
      type: 'track',
      event: 'Orphan',
      messageId: `bad-${n}`,
    }));
    const single = (body: unknown) =>
      api.request<{ accepted: number; duplicates: number; messageId: string; detail: string }>(
        'POST',
        '/api/v1/ingestion/v1/track',
        { body, headers: owner.headers },
      );
    // Every good event four times, the bad ones in between: 43 calls in flight together.
    const sent = [...events, ...events, ...bad, ...events, ...events];
    const answers = await Promise.all(sent.map(single));

    const good = answers.filter((a) => a.status === 200);
    expect(good).toHaveLength(40);
    expect(good.reduce((sum, a) => sum + a.body.accepted, 0)).toBe(10);
    expect(good.reduce((sum, a) => sum + a.body.duplicates, 0)).toBe(30);
    answers.forEach((answer, n) => {
      if (answer.status === 200)
        expect(answer.body.messageId).toBe((sent[n] as { messageId: string }).messageId);
    });
    const refused = answers.filter((a) => a.status === 400);
    const deadLetterIds = refused.map((a) => /dead letter ([0-9a-f-]{36})/.exec(a.body.detail)![1]);
    expect(new Set(deadLetterIds).size).toBe(3);
    for (const [n, deadLetterId] of deadLetterIds.entries()) {
      const stored = await api.request<{ rawEvent: { messageId: string } }>(
        'GET',
        '/api/v1/ingestion/dead-letters/{deadLetterId}',
        { params: { deadLetterId }, headers: owner.headers },
      );
      expect(stored.body.rawEvent.messageId).toBe(bad[n].messageId);
    }
    await expectPublishedOnce(
      owner,
      events.map((e) => e.messageId),
    );
  });

  it('normalises: skew-corrected timestamp, future flag, touch and channel by the tenant rules, minimised context', async () => {
    const owner = await signUp(stack.urls.gateway, 'Channels shop');
    // The client clock runs 1 hour ahead: sentAt - originalTimestamp = 5 s, so timestamp = receivedAt - 5 s.
    const ahead = Date.now() + 3_600_000;
    const skewed = trackEvent({
      timestamp: new Date(ahead - 5_000).toISOString(),
      sentAt: new Date(ahead).toISOString(),
      context: { page: { url: 'https://shop.example/p?gclid=abc123' }, ip: '203.0.113.77' },
    });
    const future = trackEvent({ timestamp: new Date(Date.now() + 86_400_000).toISOString() });
    const partner = trackEvent({ context: { campaign: { source: 'PartnerX', medium: 'referral' } } });
    expect((await batch(owner, [skewed, future])).body.accepted).toBe(2);
    const rules = [{ channel: 'Partners', when: { field: 'source', oneOf: ['partnerx'] } }];
    const put = await api.request('PUT', '/api/v1/ingestion/settings/tracking', {
      body: { channelRules: rules, ownHosts: ['shop.example'], maxEventAgeDays: null },
      headers: owner.headers,
    });
    expect(put.status).toBe(200);
    expect((await batch(owner, [partner])).body.accepted).toBe(1);

    const byId = await eventually(async () => {
      const found = new Map(acceptedOf(owner).map((m) => [m.value.messageId, m.value]));
      return found.size >= 3 ? found : undefined;
    });
    const corrected = byId.get(skewed.messageId)!;
    expect(Date.parse(corrected.receivedAt) - Date.parse(corrected.timestamp)).toBe(5_000);
    expect(corrected.touch).toMatchObject({
      channel: 'Paid Search',
      clickIdType: 'gclid',
      clickId: 'abc123',
    });
    expect(corrected.context.ip).toBe('203.0.113.0');
    expect(byId.get(future.messageId)).toMatchObject({ futureTimestamp: true });
    expect(byId.get(partner.messageId)!.touch).toMatchObject({ channel: 'Partners', source: 'partnerx' });

    const invalidRules = await api.request('PUT', '/api/v1/ingestion/settings/tracking', {
      body: {
        channelRules: [{ channel: 'X', when: { field: 'nope', oneOf: ['a'] } }],
        ownHosts: [],
        maxEventAgeDays: null,
      },
      headers: owner.headers,
    });
    expect(invalidRules.status).toBe(400);
  });

  it('dead-letters bad events of a batch (stored, published, listed) and replays them after a settings fix', async () => {
    const owner = await signUp(stack.urls.gateway, 'DLQ shop');
    await api.request('PUT', '/api/v1/ingestion/settings/tracking', {
      body: { channelRules: null, ownHosts: [], maxEventAgeDays: 30 },
      headers: owner.headers,
    });
    const good = trackEvent();
    const old = trackEvent({ timestamp: new Date(Date.now() - 60 * 86_400_000).toISOString() });
    const noIds = { type: 'track', event: 'Orphan', messageId: randomUUID() };
    const receipt = await batch(owner, [good, old, noIds], { sentAt: new Date().toISOString() });
    expect(receipt.body).toMatchObject({ accepted: 1, rejected: 2 });
    expect(receipt.body.results.map((r) => [r.index, r.status])).toEqual([
      [1, 'rejected'],
      [2, 'rejected'],
    ]);
    expect(receipt.body.results[0].errors![0]).toMatchObject({ path: '/batch/1/timestamp' });
    expect(receipt.body.results[1].errors![0]).toMatchObject({ path: '/batch/2/userId' });

    const rejected = await eventually(async () => {
      const found = reader.read<Rejected>(
        topic('ingestion.event.rejected.v1'),
        (r) => r.tenantId === owner.tenantId,
      );
      return found.length >= 2 ? found : undefined;
    });
    expect(rejected.map((r) => r.value.deadLetterId).sort()).toEqual(
      receipt.body.results.map((r) => r.deadLetterId).sort(),
    );
    const listed = await api.request<{
      items: { deadLetterId: string; rawEvent: unknown }[];
      nextCursor: string | null;
    }>('GET', '/api/v1/ingestion/dead-letters', {
      query: { status: 'pending', limit: '1' },
      headers: owner.headers,
    });
    expect(listed.body.items).toHaveLength(1);
    const second = await api.request<{ items: { deadLetterId: string; rawEvent: unknown }[] }>(
      'GET',
      '/api/v1/ingestion/dead-letters',
      { query: { status: 'pending', cursor: listed.body.nextCursor! }, headers: owner.headers },
    );
    expect([...listed.body.items, ...second.body.items].map((d) => d.rawEvent)).toEqual(
      expect.arrayContaining([old, noIds]),
    );

    // Still too old: the replay keeps it pending with the reason.
    const early = await api.request<{ outcome: string }>(
      'POST',
      '/api/v1/ingestion/dead-letters/{deadLetterId}/replay',
      {
        params: { deadLetterId: receipt.body.results[0].deadLetterId! },
        headers: owner.headers,
      },
    );
    expect(early.body.outcome).toBe('rejected');

    await api.request('PUT', '/api/v1/ingestion/settings/tracking', {
      body: { channelRules: null, ownHosts: [], maxEventAgeDays: 365 },
      headers: owner.headers,
    });
    const replay = await api.request<{ accepted: number; rejected: number }>(
      'POST',
      '/api/v1/ingestion/dead-letters/replay',
      { body: {}, headers: owner.headers },
    );
    expect(replay.body).toMatchObject({ accepted: 1, rejected: 1 });
    const replayedAgain = await api.request<{ outcome: string }>(
      'POST',
      '/api/v1/ingestion/dead-letters/{deadLetterId}/replay',
      {
        params: { deadLetterId: receipt.body.results[0].deadLetterId! },
        headers: owner.headers,
      },
    );
    expect(replayedAgain.body.outcome).toBe('already-replayed');

    await expectPublishedOnce(owner, [good.messageId, old.messageId]);
  });

  it('answers a bad single call with a 400 naming the field, and keeps it as a dead letter', async () => {
    const owner = await signUp(stack.urls.gateway, 'Single shop');
    const bad = await api.request<{ detail: string; errors: { field: string }[] }>(
      'POST',
      '/api/v1/ingestion/v1/track',
      {
        body: { userId: 'u1', event: 42 },
        headers: owner.headers,
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toContain('/body/event');
    const deadLetterId = /dead letter ([0-9a-f-]{36})/.exec(bad.body.detail)![1];
    const stored = await api.request<{ endpoint: string; rawEvent: unknown }>(
      'GET',
      '/api/v1/ingestion/dead-letters/{deadLetterId}',
      { params: { deadLetterId }, headers: owner.headers },
    );
    expect(stored.body).toMatchObject({ endpoint: 'track', rawEvent: { userId: 'u1', event: 42 } });
    const good = await api.request<{ accepted: number; messageId: string }>(
      'POST',
      '/api/v1/ingestion/v1/page',
      {
        body: { anonymousId: 'a1', name: 'Home' },
        headers: owner.headers,
      },
    );
    expect(good.body).toMatchObject({ accepted: 1 });
    const stranger = await signUp(stack.urls.gateway, 'Other shop');
    const hidden = await api.request('GET', '/api/v1/ingestion/dead-letters/{deadLetterId}', {
      params: { deadLetterId },
      headers: stranger.headers,
    });
    expect(hidden.status).toBe(404);
    expect((await api.request('POST', '/api/v1/ingestion/v1/track', { body: { userId: 'u' } })).status).toBe(
      401,
    );
  });

  it('merges the anonymous profile into the user profile on identify and publishes the merge', async () => {
    const owner = await signUp(stack.urls.gateway, 'Identity shop');
    const anonymousId = `anon-${randomUUID()}`;
    await batch(owner, [trackEvent({ anonymousId })]);
    const identify = await api.request('POST', '/api/v1/ingestion/v1/identify', {
      body: { anonymousId, userId: 'user-7', traits: { email: 'Someone@Example.com', plan: 'pro' } },
      headers: owner.headers,
    });
    expect(identify.status).toBe(200);
    const merge = await eventually(
      async () =>
        reader.read<Merged>(topic('ingestion.identity.merged.v1'), (m) => m.tenantId === owner.tenantId)[0],
    );
    expect(merge.value).toMatchObject({
      profileId: uuidV5(owner.tenantId, 'user:user-7'),
      mergedProfileIds: [uuidV5(owner.tenantId, `anon:${anonymousId}`)],
      reason: 'identify',
    });
    // Later events of the anonymous id belong to the user's profile; the email is not published in clear.
    await batch(owner, [trackEvent({ anonymousId })]);
    const events = await eventually(async () => {
      const found = acceptedOf(owner);
      return found.length >= 3 ? found : undefined;
    });
    expect(events[2].value.profileId).toBe(uuidV5(owner.tenantId, 'user:user-7'));
    const identified = events.find((e) => e.value.type === 'identify')!;
    expect(identified.value.traits.email).not.toContain('@');
  });

  it('takes gzip bodies, refuses a zip bomb with 413 and an unknown encoding with 415', async () => {
    const owner = await signUp(stack.urls.gateway, 'Gzip shop');
    const post = (body: Buffer, encoding: string) =>
      fetch(`${stack.urls.gateway}/api/v1/ingestion/v1/batch`, {
        method: 'POST',
        headers: { ...owner.headers, 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
    const ok = await post(gzipSync(JSON.stringify({ batch: [trackEvent(), trackEvent()] })), 'gzip');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ accepted: 2 });
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"batch":["'), Buffer.alloc(50 * 1024 * 1024, 0x61), Buffer.from('"]}')]),
    );
    expect(bomb.length).toBeLessThan(200 * 1024);
    const refused = await post(bomb, 'gzip');
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await post(Buffer.from('{}'), 'br');
    expect(unknown.status).toBe(415);
    const corrupt = await post(Buffer.from('not gzip at all'), 'gzip');
    expect(corrupt.status).toBe(400);
  });

  it('receives events from the real @segment/analytics-node client pointed at the gateway', async () => {
    const owner = await signUp(stack.urls.gateway, 'Segment shop');
    // The client sends Basic auth with the write key; until the gateway exchanges ingest keys for
    // tokens, its pluggable HTTP client swaps in the bearer token (everything else is the client's own).
    const analytics = new Analytics({
      writeKey: 'write-key',
      host: stack.urls.gateway,
      path: '/api/v1/ingestion/v1/batch',
      flushAt: 3,
      maxRetries: 0,
      httpClient: {
        makeRequest: async (request) => {
          const response = await fetch(request.url, {
            method: request.method,
            headers: { ...request.headers, Authorization: owner.headers.authorization },
            body: request.body,
          });
          return response;
        },
      },
    });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));
    analytics.identify({ userId: 'segment-user', traits: { name: 'Ada' } });
    analytics.track({ userId: 'segment-user', event: 'Order Completed', properties: { revenue: 42 } });
    analytics.page({
      anonymousId: 'segment-anon',
      name: 'Home',
      properties: { url: 'https://shop.example/?utm_source=newsletter&utm_medium=email' },
    });
    await analytics.closeAndFlush();
    expect(failures).toEqual([]);
    const events = await eventually(async () => {
      const found = acceptedOf(owner);
      return found.length >= 3 ? found : undefined;
    });
    expect(events.map((e) => e.value.type).sort()).toEqual(['identify', 'page', 'track']);
    expect(events.find((e) => e.value.type === 'page')!.value.touch).toMatchObject({ channel: 'Email' });
    expect(
      events.every((e) => (e.value.context.library as { name: string }).name === '@segment/analytics-node'),
    ).toBe(true);
  });

  it('reports source health through the API and as metrics', async () => {
    const owner = await signUp(stack.urls.gateway, 'Health shop');
    await batch(owner, [
      trackEvent({ userId: 'u1' }),
      trackEvent({ context: { page: { url: 'https://x.example/?fbclid=f1' } } }),
      trackEvent(),
      { type: 'track', event: 'x' },
    ]);
    const health = await api.request<{ sources: Record<string, unknown>[] }>(
      'GET',
      '/api/v1/ingestion/sources/health',
      {
        headers: owner.headers,
      },
    );
    expect(health.body.sources).toHaveLength(1);
    expect(health.body.sources[0]).toMatchObject({
      sourceId: owner.userId,
      accepted: 3,
      rejected: 1,
      rejectionRate: 0.25,
      userIdShare: 1 / 3,
      clickIdShare: 1 / 3,
      matchQuality: 2 / 3,
    });
    const metrics = await (await fetch(`${stack.urls.ingestion}/metrics`)).text();
    expect(metrics).toContain(`ingestion_tracking_events_total{outcome="rejected",source="${owner.userId}"`);
    expect(metrics).toContain('ingestion_dead_letters_total');
  });
});
