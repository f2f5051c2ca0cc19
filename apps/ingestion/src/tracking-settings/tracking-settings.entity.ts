import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant's tracking settings; no row means the defaults. */
@Entity({ name: 'tracking_settings' })
export class TrackingSettingsRow {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'tracking_settings_pkey' })
  tenantId!: string;

  /** Ordered channel rules (libs/domain/ingestion channel-rules); null for the defaults. */
  @Column({ name: 'channel_rules', type: 'jsonb', nullable: true })
  channelRules!: unknown[] | null;

  @Column({ name: 'own_hosts', type: 'jsonb', default: () => `'[]'` })
  ownHosts!: string[];

  @Column({ name: 'max_event_age_days', type: 'integer', nullable: true })
  maxEventAgeDays!: number | null;

  /** Consent categories required per use (`{attribution: [...], analytics: [...]}`). */
  @Column({
    name: 'consent_required',
    type: 'jsonb',
    default: () => `'{"analytics": [], "attribution": []}'`,
  })
  consentRequired!: { attribution: string[]; analytics: string[] };

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
