import { breakingChanges } from './breaking-changes';
import { approvedChanges, currentDocument, releasedDocument } from './contract-changes';

// The breaking-change gate: the merged contract partners build on may only break what a reviewer
// approved in contracts/gateway/v1/approved-breaking-changes.txt (Immich's oasdiff-approved-changes).
describe('merged contract against the released snapshot', () => {
  it('has no breaking change that is not approved', () => {
    const approved = approvedChanges();
    const unapproved = breakingChanges(releasedDocument(), currentDocument()).filter((c) => !approved.has(c));
    expect(unapproved).toEqual([]);
  });

  it('lists no approval that matches nothing (stale entries hide future breaks)', () => {
    const actual = new Set(breakingChanges(releasedDocument(), currentDocument()));
    expect([...approvedChanges()].filter((c) => !actual.has(c))).toEqual([]);
  });
});
