import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The events of one outbox write, made in the same transaction as the state change; the relay
 * publishes them in order. `messages` is a JSON array of `OutboxMessage` (see batchOutboxRows).
 */
@Entity({ name: 'outbox' })
export class OutboxRow {
  /** Publication order. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'outbox_pkey' })
  position!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text', nullable: true })
  messages!: string | null;

  @Column({ name: 'message_count', type: 'integer', nullable: true })
  messageCount!: number | null;

  // One event per row, as the release before batchOutboxRows writes them (messages null).
  @Index('outbox_event_id_key', { unique: true })
  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;

  @Column({ name: 'message_key', type: 'text', nullable: true })
  key!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  payload!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  headers!: Record<string, string> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One event as an outbox row holds it: `value` is the payload's JSON text, published as is. */
export interface OutboxMessage {
  eventId: string;
  key: string;
  headers: Record<string, string>;
  value: string;
}

/** Events a consumer group has applied, recorded in the transaction that applied them. */
@Entity({ name: 'processed_events' })
export class ProcessedEvent {
  @PrimaryColumn({ name: 'consumer_group', type: 'text', primaryKeyConstraintName: 'processed_events_pkey' })
  consumerGroup!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'processed_events_pkey' })
  eventId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt!: Date;
}

export const MESSAGING_ENTITIES = [OutboxRow, ProcessedEvent];
