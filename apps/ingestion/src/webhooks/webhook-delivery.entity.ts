import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A provider event already received (deduplication key: the provider's event id, per tenant). */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDelivery {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  eventId!: string;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @Column({ type: 'text', nullable: true })
  topic!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
