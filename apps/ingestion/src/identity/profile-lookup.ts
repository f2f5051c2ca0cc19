import type { EntityManager } from 'typeorm';
import { type IdentifierKind, Profile, ProfileIdentifier } from './profile.entity';

/**
 * The live profile (after following merges) that owns any of the identifiers, tried in the order
 * given; null when none is known. Runs inside the caller's tenant transaction.
 */
export async function findProfile(
  manager: EntityManager,
  identifiers: { kind: IdentifierKind; value: string }[],
): Promise<string | null> {
  for (const { kind, value } of identifiers) {
    const owner = await manager.findOneBy(ProfileIdentifier, { kind, value });
    if (owner) return liveProfile(manager, owner.profileId);
  }
  return null;
}

/** Follows `mergedInto` to the profile that absorbed `profileId` (itself when never merged). */
export async function liveProfile(manager: EntityManager, profileId: string): Promise<string> {
  let current = profileId;
  for (let hops = 0; hops < 100; hops++) {
    const profile = await manager.findOneBy(Profile, { profileId: current });
    if (!profile?.mergedInto) return current;
    current = profile.mergedInto;
  }
  throw new Error(`profile ${profileId}: merge chain longer than 100`);
}
