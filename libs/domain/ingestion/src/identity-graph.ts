/**
 * Identity stitching over (anonymousId, userId, hashed email) links. The rules:
 *
 * 1. A profile is keyed by its canonical id: `user:<userId>` once it has a userId, else the first
 *    identifier that created it (`anon:<anonymousId>` or `email:<hash>`).
 * 2. Every identifier belongs to at most one profile. A link whose identifiers sit in different
 *    profiles merges them into one: into the profile with a userId if one has it, else into the
 *    profile whose id sorts first. A merge is reported as an `IdentityMerge` (the `ingestion.identity.merged`
 *    fact); the absorbed profile id stays resolvable through `mergedInto`.
 * 3. Two different userIds are never merged: a userId is the person. So an anonymousId or an email
 *    hash already bound to userId A that shows up with userId B stays with A, and the link is
 *    reported as a conflict (shared devices, shared mailboxes).
 * 4. Caps (configurable): a profile absorbs at most `maxMergesPerProfile` other profiles and holds at
 *    most `maxAnonymousIdsPerProfile` anonymous ids; a link that would exceed a cap is refused with
 *    the reason, so one bot or kiosk cannot collapse thousands of visitors into one person.
 *
 * Links are applied in arrival order; the function is pure (returns a new graph).
 */

export interface IdentityLink {
  anonymousId?: string;
  userId?: string;
  emailHash?: string;
  /** When the link was observed (ms since the epoch). */
  at: number;
}

export interface IdentityProfile {
  profileId: string;
  userId?: string;
  anonymousIds: string[];
  emailHashes: string[];
  /** Profile ids merged into this one. */
  mergedFrom: string[];
}

export interface IdentityGraph {
  profiles: Record<string, IdentityProfile>;
  /** `anon:<id>`, `user:<id>`, `email:<hash>` -> profile id. */
  owners: Record<string, string>;
  /** Absorbed profile id -> the profile it was merged into. */
  mergedInto: Record<string, string>;
}

export interface IdentityMerge {
  fromProfileId: string;
  intoProfileId: string;
  at: number;
}

export interface IdentityConflict {
  identifier: string;
  reason: string;
}

export interface IdentityOptions {
  maxMergesPerProfile?: number;
  maxAnonymousIdsPerProfile?: number;
}

export const DEFAULT_MAX_MERGES_PER_PROFILE = 100;
export const DEFAULT_MAX_ANONYMOUS_IDS_PER_PROFILE = 500;

export interface LinkResult {
  graph: IdentityGraph;
  /** The profile the link's identifiers resolve to (undefined only if the link had none). */
  profileId?: string;
  merges: IdentityMerge[];
  conflicts: IdentityConflict[];
}

export function emptyIdentityGraph(): IdentityGraph {
  return { profiles: {}, owners: {}, mergedInto: {} };
}

/** The live profile id for a profile id that may since have been merged. */
export function resolveProfileId(graph: IdentityGraph, profileId: string): string {
  let id = profileId;
  for (let hops = 0; graph.mergedInto[id] !== undefined && hops < 1000; hops++) id = graph.mergedInto[id];
  return id;
}

export function linkIdentities(
  graph: IdentityGraph,
  link: IdentityLink,
  options: IdentityOptions = {},
): LinkResult {
  const maxMerges = options.maxMergesPerProfile ?? DEFAULT_MAX_MERGES_PER_PROFILE;
  const maxAnonymous = options.maxAnonymousIdsPerProfile ?? DEFAULT_MAX_ANONYMOUS_IDS_PER_PROFILE;
  const keys = identifierKeys(link);
  if (keys.length === 0) return { graph, merges: [], conflicts: [] };

  const next: IdentityGraph = {
    profiles: { ...graph.profiles },
    owners: { ...graph.owners },
    mergedInto: { ...graph.mergedInto },
  };
  const merges: IdentityMerge[] = [];
  const conflicts: IdentityConflict[] = [];

  // The profile to merge into: the link's user, else an existing profile with a user, else the first id.
  const owned = unique(keys.map((key) => next.owners[key]).filter((id): id is string => id !== undefined));
  const withUser = owned.filter((id) => next.profiles[id].userId !== undefined);
  let targetId: string;
  if (link.userId !== undefined) {
    targetId = `user:${link.userId}`;
  } else if (withUser.length > 0) {
    targetId = withUser.sort()[0];
  } else if (owned.length > 0) {
    targetId = owned.sort()[0];
  } else {
    targetId = keys[0];
  }
  if (next.profiles[targetId] === undefined) {
    next.profiles[targetId] = {
      profileId: targetId,
      userId: link.userId,
      anonymousIds: [],
      emailHashes: [],
      mergedFrom: [],
    };
  }
  let target = next.profiles[targetId];

  for (const otherId of owned) {
    if (otherId === targetId) continue;
    const other = next.profiles[otherId];
    if (other.userId !== undefined && target.userId !== undefined && other.userId !== target.userId) {
      conflicts.push({
        identifier: otherId,
        reason: `belongs to userId "${other.userId}"; it is not merged into userId "${target.userId}"`,
      });
      continue;
    }
    if (target.mergedFrom.length + 1 + other.mergedFrom.length > maxMerges) {
      conflicts.push({
        identifier: otherId,
        reason: `merge cap reached: ${targetId} has ${target.mergedFrom.length} merges (limit ${maxMerges})`,
      });
      continue;
    }
    const anonymousIds = unique([...target.anonymousIds, ...other.anonymousIds]);
    if (anonymousIds.length > maxAnonymous) {
      conflicts.push({
        identifier: otherId,
        reason: `anonymous id cap reached: ${targetId} would hold ${anonymousIds.length} (limit ${maxAnonymous})`,
      });
      continue;
    }
    target = {
      ...target,
      userId: target.userId ?? other.userId,
      anonymousIds,
      emailHashes: unique([...target.emailHashes, ...other.emailHashes]),
      mergedFrom: unique([...target.mergedFrom, otherId, ...other.mergedFrom]),
    };
    for (const key of ownedKeys(other)) next.owners[key] = targetId;
    delete next.profiles[otherId];
    next.mergedInto[otherId] = targetId;
    merges.push({ fromProfileId: otherId, intoProfileId: targetId, at: link.at });
  }

  // Attach the link's identifiers that no profile owns yet.
  for (const key of keys) {
    if (next.owners[key] !== undefined) continue;
    if (key.startsWith('anon:')) {
      if (target.anonymousIds.length >= maxAnonymous) {
        conflicts.push({
          identifier: key,
          reason: `anonymous id cap reached: ${targetId} holds ${maxAnonymous}`,
        });
        continue;
      }
      target = { ...target, anonymousIds: [...target.anonymousIds, key.slice(5)] };
    } else if (key.startsWith('email:')) {
      target = { ...target, emailHashes: [...target.emailHashes, key.slice(6)] };
    }
    next.owners[key] = targetId;
  }
  next.profiles[targetId] = target;
  return { graph: next, profileId: targetId, merges, conflicts };
}

function identifierKeys(link: IdentityLink): string[] {
  const keys: string[] = [];
  if (link.userId) keys.push(`user:${link.userId}`);
  if (link.anonymousId) keys.push(`anon:${link.anonymousId}`);
  if (link.emailHash) keys.push(`email:${link.emailHash}`);
  return keys;
}

function ownedKeys(profile: IdentityProfile): string[] {
  return [
    ...(profile.userId !== undefined ? [`user:${profile.userId}`] : []),
    ...profile.anonymousIds.map((id) => `anon:${id}`),
    ...profile.emailHashes.map((hash) => `email:${hash}`),
  ];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
