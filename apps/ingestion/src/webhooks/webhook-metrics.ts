import { Injectable } from '@nestjs/common';
import { Metrics } from '@sextant/platform/http';
import { Counter, Gauge } from 'prom-client';

export type DeliveryOutcome =
  'recorded' | 'unchanged' | 'duplicate' | 'ignored' | 'ping' | 'signature_failure' | 'rejected';

/** Per-source webhook health as Prometheus metrics (the same counts the API shows). */
@Injectable()
export class WebhookMetrics {
  private readonly deliveries: Counter<'provider' | 'source_id' | 'outcome'>;
  private readonly lastSeen: Gauge<'provider' | 'source_id'>;
  private readonly suppressedCustomers: Counter<'provider'>;

  constructor(metrics: Metrics) {
    this.deliveries = new Counter({
      name: 'ingestion_webhook_deliveries_total',
      help: 'Webhook deliveries per source, by outcome (signature_failure: refused 401; rejected: signed but unreadable)',
      labelNames: ['provider', 'source_id', 'outcome'],
      registers: [metrics.registry],
    });
    this.lastSeen = new Gauge({
      name: 'ingestion_webhook_last_seen_timestamp_seconds',
      help: 'Unix time of the last delivery with a valid signature, per source',
      labelNames: ['provider', 'source_id'],
      registers: [metrics.registry],
    });
    this.suppressedCustomers = new Counter({
      name: 'ingestion_order_customers_suppressed_total',
      help: 'Order events whose customer was an erased (suppressed) subject: recorded without the customer link',
      labelNames: ['provider'],
      registers: [metrics.registry],
    });
  }

  countSuppressedCustomers(provider: string, events: number): void {
    if (events > 0) this.suppressedCustomers.inc({ provider }, events);
  }

  count(provider: string, sourceId: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ provider, source_id: sourceId, outcome });
    if (outcome !== 'signature_failure' && outcome !== 'ping')
      this.lastSeen.set({ provider, source_id: sourceId }, Date.now() / 1000);
  }
}
