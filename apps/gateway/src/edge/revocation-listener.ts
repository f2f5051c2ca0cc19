import type { EventPayloads } from '@sextant/contracts';
import type { Logger } from '@sextant/platform/logging';
import { assertValidEvent, createKafka, ensureTopics, TopicNames } from '@sextant/platform/messaging';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const TOPIC = 'auth.api-key.revoked.v1';

export interface RevocationListenerOptions {
  brokers: string[];
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  logger: Logger;
  onRevoked: (revoked: EventPayloads[typeof TOPIC]) => void;
}

/**
 * Every gateway replica reads every `auth.api-key.revoked.v1`: each replica is its own consumer
 * group (a fresh id per process) and commits nothing, so no replica takes partitions from another
 * and no offsets are left behind when it stops. It starts at the end of the topic: revocations
 * older than the process cannot concern tokens it has not cached yet.
 */
export class RevocationListener {
  private consumer?: Consumer;
  private assigned = false;

  constructor(private readonly options: RevocationListenerOptions) {}

  /** Ready once the group has its partitions (a revocation published after that is seen). */
  get ready(): boolean {
    return this.assigned;
  }

  async start(): Promise<void> {
    const { brokers, topicPrefix, logger } = this.options;
    const names = new TopicNames(topicPrefix);
    const topic = names.topic(TOPIC);
    const kafka = createKafka({ brokers, clientId: `gateway-revocations`, logger });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [topic], this.options.partitions, this.options.replicationFactor);
    } finally {
      await admin.disconnect();
    }
    const groupId = names.group(`gateway.revocations.${hostname()}.${randomUUID().slice(0, 8)}`);
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.assigned = true));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: false });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        try {
          const payload = JSON.parse(message.value?.toString() ?? 'null') as unknown;
          assertValidEvent(TOPIC, payload);
          this.options.onRevoked(payload as EventPayloads[typeof TOPIC]);
        } catch (error) {
          logger.warn({ err: error, offset: message.offset }, 'ignored a malformed API key revocation');
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
