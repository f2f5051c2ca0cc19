import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When a pipeline ping recorded by ingestion reached reporting. */
@Entity({ name: 'ping_arrivals' })
export class PingArrival {
  @PrimaryColumn({ name: 'ping_id', type: 'uuid', primaryKeyConstraintName: 'ping_arrivals_pkey' })
  pingId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ name: 'arrived_at', type: 'timestamptz', default: () => 'now()' })
  arrivedAt!: Date;
}
