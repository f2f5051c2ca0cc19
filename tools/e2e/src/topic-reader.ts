import { testKafka } from '@sextant/testing';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ReadMessage<T> {
  key: string;
  value: T;
  headers: Record<string, string>;
}

/** Reads topics from the beginning into memory, so a test can count what reached Kafka. */
export class TopicReader {
  private consumer?: Consumer;
  readonly messages = new Map<string, ReadMessage<unknown>[]>();

  constructor(
    private readonly brokers: string[],
    private readonly topics: string[],
  ) {}

  async start(): Promise<void> {
    this.consumer = testKafka(this.brokers, 'tracking-e2e').consumer({
      groupId: `tracking-e2e-${randomUUID()}`,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const list = this.messages.get(topic) ?? [];
        list.push({
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? 'null'),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        });
        this.messages.set(topic, list);
      },
    });
  }

  read<T>(topic: string, filter: (value: T) => boolean = () => true): ReadMessage<T>[] {
    return ((this.messages.get(topic) ?? []) as ReadMessage<T>[]).filter((m) => filter(m.value));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
