import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A notable change found in a mart metric, with its workflow state. */
@Entity({ name: 'signals' })
@Index('signals_identity_key', ['tenantId', 'metric', 'dimension', 'day'], { unique: true })
export class Signal {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId!: string;
  @PrimaryColumn({ name: 'signal_id', type: 'uuid' }) signalId!: string;
  @Column({ type: 'text' }) metric!: string;
  @Column({ type: 'text' }) dimension!: string;
  @Column({ type: 'date' }) day!: string;
  @Column({ type: 'text' }) severity!: string;
  @Column({ type: 'double precision' }) expected!: number;
  @Column({ type: 'double precision' }) observed!: number;
  @Column({ type: 'double precision' }) score!: number;
  @Column({ type: 'text' }) narrative!: string;
  @Column({ type: 'text', default: 'open' }) status!: string;
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true }) assigneeId!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/** Everything that happened to a signal: raised, status changes, assignment, comments. */
@Entity({ name: 'signal_activity' })
@Index('signal_activity_signal_idx', ['tenantId', 'signalId', 'at'])
export class SignalActivity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId!: string;
  @PrimaryColumn({ name: 'activity_id', type: 'uuid' }) activityId!: string;
  @Column({ name: 'signal_id', type: 'uuid' }) signalId!: string;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'jsonb' }) detail!: object;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
}

export const SIGNAL_ENTITIES = [Signal, SignalActivity];
