import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per ingest source and minute: what arrived and how much of it can be matched to people or ads. */
@Entity({ name: 'source_health' })
export class SourceHealthMinute {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'source_health_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'source_id', type: 'text', primaryKeyConstraintName: 'source_health_pkey' })
  sourceId!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'source_health_pkey' })
  minute!: Date;

  @Column({ type: 'integer', default: 0 })
  accepted!: number;

  @Column({ type: 'integer', default: 0 })
  duplicates!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;

  @Column({ name: 'with_click_id', type: 'integer', default: 0 })
  withClickId!: number;

  @Column({ name: 'with_user_id', type: 'integer', default: 0 })
  withUserId!: number;

  @Column({ name: 'with_either', type: 'integer', default: 0 })
  withEither!: number;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}
