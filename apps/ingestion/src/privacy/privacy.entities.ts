import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A data-subject request (deletion or export) filed by a tenant admin. */
@Entity({ name: 'privacy_requests' })
export class PrivacyRequest {
  @PrimaryColumn({ name: 'request_id', type: 'uuid', primaryKeyConstraintName: 'privacy_requests_pkey' })
  requestId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  type!: 'deletion' | 'export';

  @Column({ type: 'text' })
  status!: 'pending' | 'completed';

  @Column({ name: 'profile_ids', type: 'uuid', array: true })
  profileIds!: string[];

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** One service's part of a deletion: pending until it confirms. */
@Entity({ name: 'privacy_request_services' })
export class PrivacyRequestService {
  @PrimaryColumn({
    name: 'request_id',
    type: 'uuid',
    primaryKeyConstraintName: 'privacy_request_services_pkey',
  })
  requestId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'privacy_request_services_pkey' })
  service!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'completed';

  @Column({ type: 'jsonb', default: () => `'{}'` })
  erased!: Record<string, number>;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/**
 * An identifier of an erased subject whose new events are dropped. Only a keyed hash of the
 * identifier is kept (what matching needs), not the identifier itself.
 */
@Entity({ name: 'suppressed_identifiers' })
@Index('suppressed_identifiers_lookup', ['tenantId', 'kind', 'valueHash'], { unique: true })
export class SuppressedIdentifier {
  @PrimaryColumn({
    name: 'suppression_id',
    type: 'uuid',
    primaryKeyConstraintName: 'suppressed_identifiers_pkey',
  })
  suppressionId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'value_hash', type: 'text' })
  valueHash!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
