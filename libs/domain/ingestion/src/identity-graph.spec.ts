import fc from 'fast-check';
import {
  emptyIdentityGraph,
  linkIdentities,
  resolveProfileId,
  type IdentityGraph,
  type IdentityLink,
  type IdentityOptions,
} from './identity-graph';

function applyAll(links: IdentityLink[], options?: IdentityOptions) {
  let graph = emptyIdentityGraph();
  const merges = [];
  const conflicts = [];
  for (const link of links) {
    const result = linkIdentities(graph, link, options);
    graph = result.graph;
    merges.push(...result.merges);
    conflicts.push(...result.conflicts);
  }
  return { graph, merges, conflicts };
}

describe('linkIdentities', () => {
  it('an anonymous visitor who signs in merges into the user profile', () => {
    const { graph, merges } = applyAll([
      { anonymousId: 'a1', at: 1 },
      { anonymousId: 'a1', userId: 'u1', at: 2 },
    ]);
    expect(merges).toEqual([{ fromProfileId: 'anon:a1', intoProfileId: 'user:u1', at: 2 }]);
    expect(graph.profiles['user:u1']).toEqual({
      profileId: 'user:u1',
      userId: 'u1',
      anonymousIds: ['a1'],
      emailHashes: [],
      mergedFrom: ['anon:a1'],
    });
    expect(resolveProfileId(graph, 'anon:a1')).toBe('user:u1');
  });

  it('two anonymous profiles sharing an email hash merge; then the user absorbs both', () => {
    const { graph, merges } = applyAll([
      { anonymousId: 'a1', emailHash: 'h', at: 1 },
      { anonymousId: 'a2', at: 2 },
      { anonymousId: 'a2', emailHash: 'h', at: 3 },
      { userId: 'u1', emailHash: 'h', at: 4 },
    ]);
    expect(merges).toEqual([
      { fromProfileId: 'anon:a2', intoProfileId: 'anon:a1', at: 3 },
      { fromProfileId: 'anon:a1', intoProfileId: 'user:u1', at: 4 },
    ]);
    expect(Object.keys(graph.profiles)).toEqual(['user:u1']);
    expect(graph.profiles['user:u1'].anonymousIds.sort()).toEqual(['a1', 'a2']);
    expect(resolveProfileId(graph, 'anon:a2')).toBe('user:u1');
  });

  it('an anonymous id bound to one userId is not moved to another (a conflict, reported)', () => {
    const { graph, merges, conflicts } = applyAll([
      { anonymousId: 'shared-device', userId: 'u1', at: 1 },
      { anonymousId: 'shared-device', userId: 'u2', at: 2 },
    ]);
    expect(merges).toEqual([]);
    expect(conflicts).toEqual([
      { identifier: 'user:u1', reason: 'belongs to userId "u1"; it is not merged into userId "u2"' },
    ]);
    expect(graph.owners['anon:shared-device']).toBe('user:u1');
    expect(graph.profiles['user:u2'].anonymousIds).toEqual([]);
  });

  it('caps merges per profile', () => {
    const links: IdentityLink[] = ['a1', 'a2', 'a3'].flatMap((id, i) => [
      { anonymousId: id, at: i * 2 },
      { anonymousId: id, userId: 'u1', at: i * 2 + 1 },
    ]);
    const { merges, conflicts } = applyAll(links, { maxMergesPerProfile: 2 });
    expect(merges).toHaveLength(2);
    expect(conflicts).toEqual([
      { identifier: 'anon:a3', reason: 'merge cap reached: user:u1 has 2 merges (limit 2)' },
    ]);
  });

  it('caps anonymous ids per profile', () => {
    const { graph, conflicts } = applyAll(
      ['a1', 'a2', 'a3'].map((id, i) => ({ anonymousId: id, userId: 'u1', at: i })),
      { maxAnonymousIdsPerProfile: 2 },
    );
    expect(graph.profiles['user:u1'].anonymousIds).toEqual(['a1', 'a2']);
    expect(conflicts).toEqual([
      { identifier: 'anon:a3', reason: 'anonymous id cap reached: user:u1 holds 2' },
    ]);
  });

  it('leaves the input graph untouched', () => {
    const { graph } = applyAll([{ anonymousId: 'a1', at: 1 }]);
    const before = JSON.stringify(graph);
    linkIdentities(graph, { anonymousId: 'a1', userId: 'u1', at: 2 });
    expect(JSON.stringify(graph)).toBe(before);
  });

  const linkArb: fc.Arbitrary<IdentityLink> = fc.record(
    {
      anonymousId: fc.constantFrom('a1', 'a2', 'a3', 'a4'),
      userId: fc.constantFrom('u1', 'u2'),
      emailHash: fc.constantFrom('h1', 'h2'),
      at: fc.nat(100),
    },
    { requiredKeys: ['at'] },
  );

  function checkInvariants(graph: IdentityGraph): void {
    for (const [key, owner] of Object.entries(graph.owners)) {
      const profile = graph.profiles[owner];
      expect(profile).toBeDefined();
      const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (kind === 'user') expect(profile.userId).toBe(id);
      if (kind === 'anon') expect(profile.anonymousIds).toContain(id);
      if (kind === 'email') expect(profile.emailHashes).toContain(id);
    }
    for (const profile of Object.values(graph.profiles)) {
      for (const id of profile.anonymousIds) expect(graph.owners[`anon:${id}`]).toBe(profile.profileId);
      if (profile.userId !== undefined) expect(profile.profileId).toBe(`user:${profile.userId}`);
      for (const merged of profile.mergedFrom)
        expect(resolveProfileId(graph, merged)).toBe(profile.profileId);
    }
  }

  it('property: every identifier has exactly one live owner, no profile holds two userIds, merged ids resolve', () => {
    fc.assert(
      fc.property(fc.array(linkArb, { maxLength: 25 }), (links) => {
        checkInvariants(applyAll(links).graph);
      }),
      { numRuns: 300 },
    );
  });
});
