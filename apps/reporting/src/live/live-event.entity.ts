import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What the live stream sends, kept so a reconnecting client resumes after its Last-Event-ID. */
@Entity({ name: 'live_events' })
@Index('live_events_kind_idx', ['tenantId', 'kind', 'at'])
export class LiveEvent {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId!: string;
  @PrimaryColumn({ name: 'seq', type: 'bigint', generated: 'increment' }) seq!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'jsonb' }) data!: object;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
}
