import { CommitQueue } from './commit-queue';

/** A commit whose calls are recorded and finish when the test says so. */
function heldCommits() {
  const calls: { key: string; parts: string[]; finish: () => void; fail: (e: Error) => void }[] = [];
  const commit = (key: string, parts: string[]) =>
    new Promise<string[]>((resolve, reject) =>
      calls.push({
        key,
        parts,
        finish: () => resolve(parts.map((p) => `${p} committed`)),
        fail: reject,
      }),
    );
  return { calls, commit };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('CommitQueue', () => {
  it('commits a part at once when its key is idle', async () => {
    const { calls, commit } = heldCommits();
    const queue = new CommitQueue(commit, 10);
    const result = queue.submit('tenant', 'a');
    await settled();
    expect(calls.map((c) => c.parts)).toEqual([['a']]);
    calls[0].finish();
    await expect(result).resolves.toBe('a committed');
  });

  it('joins the parts that arrive while a commit runs into the next commit, each answered with its own result', async () => {
    const { calls, commit } = heldCommits();
    const queue = new CommitQueue(commit, 10);
    const first = queue.submit('tenant', 'a');
    const later = ['b', 'c', 'd'].map((p) => queue.submit('tenant', p));
    await settled();
    expect(calls.map((c) => c.parts)).toEqual([['a']]);
    calls[0].finish();
    await expect(first).resolves.toBe('a committed');
    await settled();
    expect(calls.map((c) => c.parts)).toEqual([['a'], ['b', 'c', 'd']]);
    let answered = false;
    void Promise.all(later).then(() => (answered = true));
    await settled();
    expect(answered).toBe(false); // not before the commit that holds them is done
    calls[1].finish();
    await expect(Promise.all(later)).resolves.toEqual(['b committed', 'c committed', 'd committed']);
  });

  it('does not make one key wait for another', async () => {
    const { calls, commit } = heldCommits();
    const queue = new CommitQueue(commit, 10);
    void queue.submit('one', 'a');
    void queue.submit('two', 'b');
    await settled();
    expect(calls.map((c) => [c.key, c.parts])).toEqual([
      ['one', ['a']],
      ['two', ['b']],
    ]);
  });

  it('commits at most maxParts together', async () => {
    const { calls, commit } = heldCommits();
    const queue = new CommitQueue(commit, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((p) => queue.submit('tenant', p));
    for (let i = 0; i < 3; i++) {
      await settled();
      calls[i].finish();
    }
    await Promise.all(all);
    expect(calls.map((c) => c.parts)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('commits each part alone after a joint commit fails, so only the bad part fails', async () => {
    const { calls, commit: held } = heldCommits();
    const commit = async (key: string, parts: string[]) => {
      if (parts[0] === 'first') return held(key, parts); // held, so that the next three are joined
      if (parts.includes('bad')) throw new Error('bad part');
      return parts.map((p) => `${p} committed`);
    };
    const queue = new CommitQueue(commit, 10);
    const first = queue.submit('tenant', 'first');
    const joined = ['good', 'bad', 'fine'].map((p) => queue.submit('tenant', p));
    await settled();
    calls[0].finish();
    await first;
    const outcomes = await Promise.allSettled(joined);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      'good committed',
      'bad part',
      'fine committed',
    ]);
    await expect(queue.submit('tenant', 'after')).resolves.toBe('after committed');
  });
});
