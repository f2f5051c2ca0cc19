import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The dedup key of every accepted tracking event: (tenant, messageId). Written in the transaction
 * that writes the event to the outbox, so a messageId is published at most once. Rows are kept at
 * least `DEDUP_RETENTION_DAYS` (housekeeping deletes older ones by `received_at`).
 */
@Entity({ name: 'tracked_messages' })
@Index('tracked_messages_received_at_idx', ['receivedAt'])
@Index('tracked_messages_profile_idx', ['tenantId', 'profileId'])
export class TrackedMessage {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'tracked_messages_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'message_id', type: 'text', primaryKeyConstraintName: 'tracked_messages_pkey' })
  messageId!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  /** The profile the event was resolved to (what erasure and export of a subject find it by). */
  @Column({ name: 'profile_id', type: 'uuid', nullable: true })
  profileId!: string | null;
}
