import type { EventPayloads } from '@sextant/contracts';
import {
  linkIdentities,
  type IdentityGraph,
  type IdentityOptions,
  type IdentityProfile,
} from '@sextant/domain/ingestion';
import { preparedQuery } from '@sextant/platform/database';
import type { EntityManager } from 'typeorm';
import type { IdentifierKind } from './profile.entity';
import { profileIdFor } from './profile-id';

export type IdentityMergedPayload = EventPayloads['ingestion.identity.merged.v1'];

/** The identity side of one accepted event. */
export interface IdentityInput {
  type: string;
  userId: string | null;
  anonymousId: string | null;
  previousId: string | null;
  emailHash: string | null;
  at: number;
}

export interface IdentityResolution {
  /** The profile of each input, in order. */
  profileIds: string[];
  merges: IdentityMergedPayload[];
  conflicts: string[];
}

const KIND_OF_PREFIX: Record<string, IdentifierKind> = {
  user: 'userId',
  anon: 'anonymousId',
  email: 'emailHash',
  customer: 'customerId',
};
const PREFIX_OF_KIND: Record<IdentifierKind, string> = {
  userId: 'user',
  anonymousId: 'anon',
  emailHash: 'email',
  customerId: 'customer',
};
const keyOf = (kind: IdentifierKind, value: string) => `${PREFIX_OF_KIND[kind]}:${value}`;
const splitKey = (key: string): { kind: IdentifierKind; value: string } => {
  const at = key.indexOf(':');
  return { kind: KIND_OF_PREFIX[key.slice(0, at)], value: key.slice(at + 1) };
};

/**
 * Finds (or creates) the profile of every event of a batch with one read and one write for the
 * plain events, and applies the links of `identify` / `alias` with the merge rule and caps of
 * `linkIdentities` (libs/domain/ingestion identity-graph.ts). Only identify and alias link
 * identifiers; any other event belongs to the profile of its userId, else of its anonymousId, and a
 * new identifier starts a new profile. Runs inside the caller's tenant transaction.
 */
export class IdentityResolver {
  private readonly owners = new Map<string, string>();
  /** Identifier keys whose owner has been read (found or not) by this resolver. */
  private readonly lookedUp = new Set<string>();
  private readonly pendingProfiles = new Map<string, { canonicalKey: string; userId: string | null }>();
  private readonly pendingIdentifiers = new Map<string, string>();

  constructor(
    private readonly manager: EntityManager,
    private readonly tenantId: string,
    private readonly options: IdentityOptions,
  ) {}

  async resolve(inputs: IdentityInput[]): Promise<IdentityResolution> {
    const result: IdentityResolution = { profileIds: [], merges: [], conflicts: [] };
    if (inputs.some(isLink)) {
      // Links of one tenant apply one at a time, so two merges never race over the same profiles.
      await this.manager.query(`select pg_advisory_xact_lock(hashtext($1))`, [`identity:${this.tenantId}`]);
    }
    await this.loadOwners(inputs.flatMap(identifierKeys).filter((key) => !this.lookedUp.has(key)));
    const createdBy: (string | undefined)[] = [];
    for (const input of inputs) {
      if (isLink(input)) {
        await this.flush();
        const linked = await this.link(input);
        result.profileIds.push(linked.profileId);
        if (linked.merge) result.merges.push(linked.merge);
        result.conflicts.push(...linked.conflicts);
        createdBy.push(undefined);
        continue;
      }
      const { profileId, newKey: key } = this.profileOfPlainEvent(input);
      if (!key) {
        result.profileIds.push(profileId);
        createdBy.push(undefined);
        continue;
      }
      this.pendingProfiles.set(profileId, { canonicalKey: key, userId: input.userId });
      this.pendingIdentifiers.set(key, profileId);
      this.owners.set(key, profileId);
      result.profileIds.push(profileId);
      createdBy.push(key);
    }
    const lost = await this.flush();
    // Another transaction attached an identifier first: follow it to its owner.
    if (lost.size > 0) {
      await this.loadOwners([...lost]);
      createdBy.forEach((key, index) => {
        if (key && lost.has(key)) result.profileIds[index] = this.owners.get(key) ?? result.profileIds[index];
      });
    }
    return result;
  }

  /**
   * The profile each event gets unless a concurrent transaction attaches one of its identifiers
   * first, read before the events are resolved (one read, nothing written): the owner of its userId,
   * else of its anonymousId, else the profile that identifier starts; null for identify and alias,
   * whose links decide.
   */
  async expectedProfileIds(inputs: IdentityInput[]): Promise<(string | null)[]> {
    await this.loadOwners(inputs.filter((input) => !isLink(input)).flatMap(identifierKeys));
    return inputs.map((input) => (isLink(input) ? null : this.profileOfPlainEvent(input).profileId));
  }

  /** A plain (not identify/alias) event's profile; `newKey` when its identifier starts a new one. */
  private profileOfPlainEvent(input: IdentityInput): { profileId: string; newKey?: string } {
    const userKey = input.userId ? keyOf('userId', input.userId) : undefined;
    const anonKey = input.anonymousId ? keyOf('anonymousId', input.anonymousId) : undefined;
    const owner = (userKey && this.owners.get(userKey)) || (anonKey && this.owners.get(anonKey));
    if (owner) return { profileId: owner };
    const newKey = (userKey ?? anonKey)!;
    return { profileId: profileIdFor(this.tenantId, newKey), newKey };
  }

  private async loadOwners(keys: string[]): Promise<void> {
    const wanted = [...new Set(keys)].map(splitKey);
    if (wanted.length === 0) return;
    // Conditions on the primary key's columns (a few extra kind/value pairs come back and are
    // ignored); a join with a record set let the planner scan the tenant's whole identifier table.
    const rows = await preparedQuery<{ kind: IdentifierKind; value: string; profile_id: string }>(
      this.manager,
      `select kind, value, profile_id from profile_identifiers
        where tenant_id = $1 and kind = any($2::text[]) and value = any($3::text[])`,
      [this.tenantId, [...new Set(wanted.map((w) => w.kind))], [...new Set(wanted.map((w) => w.value))]],
    );
    const wantedKeys = new Set(keys);
    for (const key of wantedKeys) this.lookedUp.add(key);
    for (const row of rows) {
      const key = keyOf(row.kind, row.value);
      if (wantedKeys.has(key)) this.owners.set(key, row.profile_id);
    }
  }

  /** Writes the profiles and identifiers created so far; returns the identifier keys another transaction took first. */
  private async flush(): Promise<Set<string>> {
    const lost = new Set<string>();
    if (this.pendingProfiles.size > 0) {
      const profiles = [...this.pendingProfiles].sort(([a], [b]) => (a < b ? -1 : 1));
      await this.manager.query(
        `insert into profiles (tenant_id, profile_id, canonical_key, user_id)
         select $1, p.profile_id, p.canonical_key, p.user_id
           from jsonb_to_recordset($2::jsonb) as p(profile_id uuid, canonical_key text, user_id text)
         on conflict do nothing`,
        [
          this.tenantId,
          JSON.stringify(
            profiles.map(([id, p]) => ({ profile_id: id, canonical_key: p.canonicalKey, user_id: p.userId })),
          ),
        ],
      );
      this.pendingProfiles.clear();
    }
    if (this.pendingIdentifiers.size > 0) {
      const identifiers = [...this.pendingIdentifiers].sort(([a], [b]) => (a < b ? -1 : 1));
      const inserted: { kind: IdentifierKind; value: string }[] = await this.manager.query(
        `insert into profile_identifiers (tenant_id, kind, value, profile_id)
         select $1, i.kind, i.value, i.profile_id
           from jsonb_to_recordset($2::jsonb) as i(kind text, value text, profile_id uuid)
         on conflict do nothing returning kind, value`,
        [
          this.tenantId,
          JSON.stringify(
            identifiers.map(([key, profileId]) => ({ ...splitKey(key), profile_id: profileId })),
          ),
        ],
      );
      const written = new Set(inserted.map((row) => keyOf(row.kind, row.value)));
      for (const [key] of identifiers) if (!written.has(key)) lost.add(key);
      this.pendingIdentifiers.clear();
    }
    return lost;
  }

  /** One identify/alias: the domain's merge rule over the profiles its identifiers touch. */
  private async link(
    input: IdentityInput,
  ): Promise<{ profileId: string; merge?: IdentityMergedPayload; conflicts: string[] }> {
    let anonymousId = input.anonymousId ?? undefined;
    const conflicts: string[] = [];
    if (input.type === 'alias' && input.previousId) {
      if (this.owners.has(keyOf('userId', input.previousId)) && input.previousId !== input.userId) {
        conflicts.push(
          `alias: previousId "${input.previousId}" is another user's id; two users are never merged`,
        );
      } else {
        anonymousId = input.previousId;
      }
    }
    const linkKeys = [
      input.userId ? keyOf('userId', input.userId) : undefined,
      anonymousId ? keyOf('anonymousId', anonymousId) : undefined,
      input.emailHash ? keyOf('emailHash', input.emailHash) : undefined,
    ].filter((k): k is string => k !== undefined);
    await this.loadOwners(linkKeys);
    const graph = await this.loadGraph(linkKeys);
    const linked = linkIdentities(
      graph.graph,
      {
        userId: input.userId ?? undefined,
        anonymousId,
        emailHash: input.emailHash ?? undefined,
        at: input.at,
      },
      this.options,
    );
    conflicts.push(...linked.conflicts.map((c) => `${c.identifier}: ${c.reason}`));
    const targetKey = linked.profileId!;
    const targetId = graph.ids.get(targetKey) ?? profileIdFor(this.tenantId, targetKey);
    const target = linked.graph.profiles[targetKey];
    const merged = linked.merges.map((m) => graph.ids.get(m.fromProfileId)!);

    if (!graph.ids.has(targetKey)) {
      await this.manager.query(
        `insert into profiles (tenant_id, profile_id, canonical_key, user_id) values ($1, $2, $3, $4)
         on conflict do nothing`,
        [this.tenantId, targetId, targetKey, target.userId ?? null],
      );
    }
    if (merged.length > 0) {
      await this.manager.query(
        `update profiles set merged_into = $1, updated_at = now() where profile_id = any($2::uuid[])`,
        [targetId, merged],
      );
      await this.manager.query(
        `update profile_identifiers set profile_id = $1 where profile_id = any($2::uuid[])`,
        [targetId, merged],
      );
      for (const [key, owner] of this.owners) if (merged.includes(owner)) this.owners.set(key, targetId);
    }
    await this.manager.query(
      `update profiles set user_id = $2, merge_count = $3, updated_at = now() where profile_id = $1`,
      [targetId, target.userId ?? null, target.mergedFrom.length],
    );
    const newKeys = linkKeys.filter((key) => !this.owners.has(key) && linked.graph.owners[key] === targetKey);
    if (newKeys.length > 0) {
      await this.manager.query(
        `insert into profile_identifiers (tenant_id, kind, value, profile_id)
         select $1, i.kind, i.value, $2 from jsonb_to_recordset($3::jsonb) as i(kind text, value text)
         on conflict do nothing`,
        [this.tenantId, targetId, JSON.stringify(newKeys.map(splitKey))],
      );
      for (const key of newKeys) this.owners.set(key, targetId);
    }
    if (merged.length === 0) return { profileId: targetId, conflicts };
    return {
      profileId: targetId,
      conflicts,
      merge: {
        tenantId: this.tenantId,
        profileId: targetId,
        mergedProfileIds: merged as [string, ...string[]],
        identifiers: identifiersOf(target),
        reason: input.type === 'alias' ? 'alias' : 'identify',
        mergedAt: new Date(input.at).toISOString(),
      },
    };
  }

  /** The part of the graph a link can touch: the profiles owning its identifiers, with all their identifiers. */
  private async loadGraph(linkKeys: string[]): Promise<{ graph: IdentityGraph; ids: Map<string, string> }> {
    const profileIds = [
      ...new Set(linkKeys.map((k) => this.owners.get(k)).filter((id): id is string => !!id)),
    ];
    const graph: IdentityGraph = { profiles: {}, owners: {}, mergedInto: {} };
    const ids = new Map<string, string>();
    if (profileIds.length === 0) return { graph, ids };
    const profiles: {
      profile_id: string;
      canonical_key: string;
      user_id: string | null;
      merge_count: number;
    }[] = await this.manager.query(
      `select profile_id, canonical_key, user_id, merge_count from profiles where profile_id = any($1::uuid[])`,
      [profileIds],
    );
    const identifiers: { kind: IdentifierKind; value: string; profile_id: string }[] =
      await this.manager.query(
        `select kind, value, profile_id from profile_identifiers where profile_id = any($1::uuid[])`,
        [profileIds],
      );
    const keyOfProfile = new Map<string, string>();
    for (const row of profiles) {
      keyOfProfile.set(row.profile_id, row.canonical_key);
      ids.set(row.canonical_key, row.profile_id);
      const profile: IdentityProfile = {
        profileId: row.canonical_key,
        userId: row.user_id ?? undefined,
        anonymousIds: [],
        emailHashes: [],
        // Only the count matters to the merge cap; placeholders unique to this profile.
        mergedFrom: Array.from({ length: row.merge_count }, (_, i) => `${row.canonical_key}#${i}`),
      };
      graph.profiles[row.canonical_key] = profile;
    }
    for (const row of identifiers) {
      const owner = keyOfProfile.get(row.profile_id);
      if (!owner) continue;
      graph.owners[keyOf(row.kind, row.value)] = owner;
      if (row.kind === 'anonymousId') graph.profiles[owner].anonymousIds.push(row.value);
      if (row.kind === 'emailHash') graph.profiles[owner].emailHashes.push(row.value);
    }
    return { graph, ids };
  }
}

function isLink(input: IdentityInput): boolean {
  return input.type === 'identify' || input.type === 'alias';
}

function identifierKeys(input: IdentityInput): string[] {
  const keys: string[] = [];
  if (input.userId) keys.push(keyOf('userId', input.userId));
  if (input.anonymousId) keys.push(keyOf('anonymousId', input.anonymousId));
  if (input.previousId) keys.push(keyOf('userId', input.previousId), keyOf('anonymousId', input.previousId));
  if (input.emailHash) keys.push(keyOf('emailHash', input.emailHash));
  return keys;
}

function identifiersOf(profile: IdentityProfile): IdentityMergedPayload['identifiers'] {
  return [
    ...(profile.userId !== undefined ? [{ kind: 'userId' as const, value: profile.userId }] : []),
    ...profile.anonymousIds.map((value) => ({ kind: 'anonymousId' as const, value })),
    ...profile.emailHashes.map((value) => ({ kind: 'emailHash' as const, value })),
  ].map((identifier) => ({ ...identifier, value: identifier.value.slice(0, 512) }));
}
