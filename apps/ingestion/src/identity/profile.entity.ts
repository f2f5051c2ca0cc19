import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A customer profile of a tenant's identity graph. `profileId` is a name-based UUID of the tenant
 * and the canonical key (`user:<userId>`, `anon:<anonymousId>`, `email:<hash>`, `customer:<id>`), so
 * the same first identifier always yields the same profile. A merged profile points at the one
 * that absorbed it (`mergedInto`).
 */
@Entity({ name: 'profiles' })
export class Profile {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'profiles_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'profile_id', type: 'uuid', primaryKeyConstraintName: 'profiles_pkey' })
  profileId!: string;

  @Column({ name: 'canonical_key', type: 'text' })
  canonicalKey!: string;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @Column({ name: 'merge_count', type: 'integer', default: 0 })
  mergeCount!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

export type IdentifierKind = 'anonymousId' | 'userId' | 'emailHash' | 'customerId';

/** Which profile an identifier belongs to (every identifier belongs to at most one). */
@Entity({ name: 'profile_identifiers' })
@Index('profile_identifiers_profile_idx', ['tenantId', 'profileId'])
@Check('profile_identifiers_kind_check', `"kind" IN ('anonymousId', 'userId', 'emailHash', 'customerId')`)
export class ProfileIdentifier {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'profile_identifiers_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'profile_identifiers_pkey' })
  kind!: IdentifierKind;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'profile_identifiers_pkey' })
  value!: string;

  @Column({ name: 'profile_id', type: 'uuid' })
  profileId!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz', default: () => 'now()' })
  firstSeenAt!: Date;
}
