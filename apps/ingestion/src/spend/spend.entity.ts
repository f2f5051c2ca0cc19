import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

/** PostgreSQL bigint arrives as text; spend amounts and counts fit a JS safe integer. */
const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A day's spend of one channel/campaign; re-imports replace it (`revision` grows on each change). */
@Entity({ name: 'ad_spend' })
export class AdSpend {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'ad_spend_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'ad_spend_pkey' })
  date!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'ad_spend_pkey' })
  channel!: string;

  /** Empty when spend is per channel only. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'ad_spend_pkey' })
  campaign!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumber })
  amountMinor!: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  impressions!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  clicks!: number | null;

  @Column({ type: 'integer' })
  revision!: number;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
