import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant's retention windows in days; no row means RETENTION_DEFAULTS. */
@Entity({ name: 'retention_settings' })
@Check('retention_settings_audit_log_days_check', '"audit_log_days" >= 365')
export class RetentionSettingsRow {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'retention_settings_pkey' })
  tenantId!: string;

  @Column({ name: 'raw_events_days', type: 'integer' })
  rawEventsDays!: number;

  @Column({ name: 'dead_letters_days', type: 'integer' })
  deadLettersDays!: number;

  @Column({ name: 'journeys_days', type: 'integer' })
  journeysDays!: number;

  @Column({ name: 'audit_log_days', type: 'integer' })
  auditLogDays!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
