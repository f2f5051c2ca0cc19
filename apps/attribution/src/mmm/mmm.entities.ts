import type { MmmData } from '@sextant/domain/mmm';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One day of one channel/campaign's spend, as last recorded (the highest revision wins). */
@Entity({ name: 'mmm_daily_spend' })
export class DailySpend {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'mmm_daily_spend_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'spend_date', type: 'date', primaryKeyConstraintName: 'mmm_daily_spend_pkey' })
  spendDate!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'mmm_daily_spend_pkey' })
  channel!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'mmm_daily_spend_pkey' })
  campaign!: string;

  @Column({ type: 'text' })
  currency!: string;

  /** bigint: read back as a string. */
  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'integer' })
  revision!: number;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** A weekly dataset a tenant uploaded, already parsed into the model's input. */
@Entity({ name: 'mmm_datasets' })
export class MmmDataset {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'mmm_datasets_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'dataset_id', type: 'uuid', primaryKeyConstraintName: 'mmm_datasets_pkey' })
  datasetId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  data!: MmmData;

  @Column({ type: 'jsonb' })
  warnings!: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

export const FIT_STATUSES = [
  'queued',
  'running',
  'cancelling',
  'succeeded',
  'not_converged',
  'failed',
  'cancelled',
] as const;
export type FitStatus = (typeof FIT_STATUSES)[number];
export const FINISHED: readonly FitStatus[] = ['succeeded', 'not_converged', 'failed', 'cancelled'];

export interface ChainProgress {
  chain: number;
  done: number;
  total: number;
}

/**
 * A marketing-mix fit: its input (a snapshot, so a job needs nothing else), configuration,
 * progress, and once finished its diagnostics, result and the posterior draws the optimiser needs.
 */
@Entity({ name: 'mmm_fits' })
@Index('mmm_fits_created_idx', ['tenantId', 'createdAt'])
@Check(
  'mmm_fits_status_check',
  `"status" IN ('queued', 'running', 'cancelling', 'succeeded', 'not_converged', 'failed', 'cancelled')`,
)
@Check('mmm_fits_source_check', `"source" IN ('dataset', 'events')`)
export class MmmFitRecord {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'mmm_fits_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'fit_id', type: 'uuid', primaryKeyConstraintName: 'mmm_fits_pkey' })
  fitId!: string;

  @Column({ type: 'text' })
  status!: FitStatus;

  @Column({ type: 'text' })
  source!: 'dataset' | 'events';

  @Column({ name: 'dataset_id', type: 'uuid', nullable: true })
  datasetId!: string | null;

  @Column({ name: 'date_from', type: 'date' })
  dateFrom!: string;

  @Column({ name: 'date_to', type: 'date' })
  dateTo!: string;

  @Column({ type: 'jsonb' })
  channels!: string[];

  @Column({ type: 'jsonb' })
  data!: MmmData;

  /** The model configuration (`MmmConfigInput`). */
  @Column({ type: 'jsonb' })
  config!: object;

  /** Chains, tune, draws, seed, target acceptance. */
  @Column({ type: 'jsonb' })
  sampling!: object;

  @Column({ type: 'jsonb' })
  progress!: ChainProgress[];

  @Column({ type: 'jsonb' })
  warnings!: string[];

  @Column({ type: 'text', nullable: true })
  verdict!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  diagnostics!: object | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: object | null;

  /** Posterior draws of the response curves (for the budget optimiser), arrays instead of typed arrays. */
  @Column({ type: 'jsonb', nullable: true })
  response!: object | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** Touched while a worker holds the fit; a stale heartbeat means the worker is gone. */
  @Column({ name: 'heartbeat_at', type: 'timestamptz', default: () => 'now()' })
  heartbeatAt!: Date;
}

export const MMM_ENTITIES = [DailySpend, MmmDataset, MmmFitRecord];
