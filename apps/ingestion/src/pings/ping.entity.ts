import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A pipeline ping: proves a tenant's data reaches Kafka and the services behind it. */
@Entity({ name: 'pings' })
export class Ping {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pings_pkey' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
