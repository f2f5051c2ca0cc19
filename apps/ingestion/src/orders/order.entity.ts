import type { CommerceProvider, OrderState } from '@sextant/domain/ingestion';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The reduced state of one order (`applyOrderEvent` over every delivery) and its published revision. */
@Entity({ name: 'orders' })
export class CommerceOrder {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'orders_pkey' })
  tenantId!: string;

  /** Provider-qualified: `shopify:450789469`. */
  @PrimaryColumn({ name: 'order_id', type: 'text', primaryKeyConstraintName: 'orders_pkey' })
  orderId!: string;

  @Column({ type: 'text' })
  provider!: CommerceProvider;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @Column({ type: 'jsonb', nullable: true })
  state!: OrderState | null;

  /** The last published revision (0: never published). */
  @Column({ type: 'integer', default: 0 })
  revision!: number;

  @Column({ name: 'profile_id', type: 'uuid', nullable: true })
  profileId!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
