import type { CommerceProvider } from '@sextant/domain/ingestion';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A store or payment account that sends webhooks to one tenant. `sealedCredentials` is the
 * AES-256-GCM sealed JSON of what verifies its signatures (secret or PayPal webhook id); the
 * counters are its delivery health.
 */
@Entity({ name: 'webhook_sources' })
@Index('webhook_sources_source_id_key', ['sourceId'], { unique: true })
@Check('webhook_sources_provider_check', `"provider" IN ('shopify', 'woocommerce', 'stripe', 'paypal')`)
export class WebhookSource {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'webhook_sources_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'source_id', type: 'uuid', primaryKeyConstraintName: 'webhook_sources_pkey' })
  sourceId!: string;

  @Column({ type: 'text' })
  provider!: CommerceProvider;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'sealed_credentials', type: 'text' })
  sealedCredentials!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  deliveries!: number;

  @Column({ type: 'integer', default: 0 })
  duplicates!: number;

  @Column({ name: 'signature_failures', type: 'integer', default: 0 })
  signatureFailures!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;
}
