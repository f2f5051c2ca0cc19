import { TOPIC_CATALOGUE } from '@sextant/contracts';

/** Header names every Sextant message carries (ARCHITECTURE.md section 4). */
export const HEADERS = {
  eventId: 'event-id',
  tenantId: 'tenant-id',
  schema: 'schema',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  producedAt: 'produced-at',
  retryAttempt: 'retry-attempt',
  retryAt: 'retry-at',
  originalTopic: 'original-topic',
  originalPartition: 'original-partition',
  originalOffset: 'original-offset',
  lastError: 'last-error',
  dltAttempts: 'dlt-attempts',
  dltFailedAt: 'dlt-failed-at',
} as const;

/** Topic and consumer-group names, all under one prefix (empty in production, per run in tests). */
export class TopicNames {
  constructor(readonly prefix: string) {}

  topic(name: string): string {
    return `${this.prefix}${name}`;
  }
  group(service: string): string {
    return `${this.prefix}${service}`;
  }
  retry(name: string, service: string): string {
    return `${this.prefix}${name}.${service}.retry`;
  }
  deadLetter(name: string, service: string): string {
    return `${this.prefix}${name}.${service}.dlt`;
  }
  /** The catalogue name of a prefixed topic (or of its retry/dead-letter topic). */
  unprefixed(topic: string): string {
    return topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic;
  }
}

/** Topics that carry messages today (AsyncAPI status live), with who produces and consumes them. */
export function liveTopics() {
  return TOPIC_CATALOGUE.filter((t) => t.status === 'live');
}

/**
 * Every topic the catalogue declares (live ones), with each consuming service's retry and
 * dead-letter topics: what the `topics` command (the Kubernetes topics Job) creates up front.
 */
export function declaredTopics(names: TopicNames): string[] {
  return liveTopics().flatMap((t) => [
    names.topic(t.topic),
    ...t.consumers
      .filter((service: string) => service !== '*')
      .flatMap((service: string) => [names.retry(t.topic, service), names.deadLetter(t.topic, service)]),
  ]);
}
