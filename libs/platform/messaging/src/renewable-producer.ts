import './pooled-encoder-fix';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Broker answers after which an idempotent producer's sequence numbers no longer match the broker's:
 * kafkajs rolls a partition's sequence back when a produce request fails, also when the broker had
 * appended it (a timeout), and every later request is then refused (kafkajs#598). Only a new
 * producer id gets past them.
 */
const STALE_PRODUCER_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/** The platform's producer: idempotent, one request in flight (keeps order), declared topics only. */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * A producer that is replaced by a new one (a new producer id) once the broker refuses its producer
 * state, so that the sends after that one go through instead of being refused for ever. The outbox
 * relay and the consumers' retry and dead-letter forwarding send through one each.
 */
export class RenewableProducer {
  private producer: Producer;
  private renewing?: Promise<void>;

  constructor(
    private readonly create: () => Producer,
    private readonly logger: Logger,
  ) {
    this.producer = create();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /**
   * Sends with the current producer. A refusal of its producer state renews it before the error is
   * thrown on, so the caller's next attempt goes through the new one; sends that fail together renew once.
   */
  async send<T>(send: (producer: Producer) => Promise<T>): Promise<T> {
    const used = this.producer;
    try {
      return await send(used);
    } catch (error) {
      if (isStaleProducer(error) && used === this.producer)
        await (this.renewing ??= this.renew(used).finally(() => (this.renewing = undefined)));
      throw error;
    }
  }

  private async renew(stale: Producer): Promise<void> {
    const fresh = this.create();
    try {
      await fresh.connect();
    } catch (error) {
      this.logger.error({ err: error }, 'could not replace a refused producer; the next refusal tries again');
      return;
    }
    this.producer = fresh;
    this.logger.warn('producer replaced: the broker refused its sequence numbers');
    await stale.disconnect().catch(() => undefined);
  }
}

function isStaleProducer(error: unknown): boolean {
  let cause = error as { type?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; cause && depth < 5; depth++, cause = cause.cause as typeof cause)
    if (typeof cause.type === 'string' && STALE_PRODUCER_ERRORS.has(cause.type)) return true;
  return false;
}
