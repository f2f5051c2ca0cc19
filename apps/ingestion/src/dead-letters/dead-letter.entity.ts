import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeadLetterStatus = 'pending' | 'replayed';

/** A tracking event that failed validation, kept as received so it can be replayed after a fix. */
@Entity({ name: 'dead_letters' })
@Index('dead_letters_tenant_status_idx', ['tenantId', 'status', 'position'])
@Index('dead_letters_received_at_idx', ['receivedAt'])
@Check('dead_letters_status_check', `"status" IN ('pending', 'replayed')`)
export class DeadLetter {
  /** Arrival order (the paging cursor). */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'dead_letters_pkey' })
  position!: string;

  @Index('dead_letters_dead_letter_id_key', { unique: true })
  @Column({ name: 'dead_letter_id', type: 'uuid' })
  deadLetterId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'source_id', type: 'text', nullable: true })
  sourceId!: string | null;

  @Column({ type: 'text' })
  endpoint!: string;

  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @Column({ type: 'jsonb' })
  errors!: { path: string; reason: string }[];

  @Column({ name: 'raw_event', type: 'jsonb', nullable: true })
  rawEvent!: unknown;

  /** A batch item's envelope defaults (`context`, `integrations`, `sentAt`), applied again on replay. */
  @Column({ type: 'jsonb', nullable: true })
  envelope!: Record<string, unknown> | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'text', default: 'pending' })
  status!: DeadLetterStatus;

  @Column({ name: 'replay_attempts', type: 'integer', default: 0 })
  replayAttempts!: number;

  @Column({ name: 'replayed_at', type: 'timestamptz', nullable: true })
  replayedAt!: Date | null;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;
}
