interface Waiting<Part, Result> {
  part: Part;
  settle: (result: Result) => void;
  fail: (error: unknown) => void;
}

/**
 * Parts submitted under one key (a tenant) while that key's previous commit is running wait for it
 * and then go together in one commit: a browser sends an event per request, and a transaction per
 * event spends most of its time on round trips and the commit itself. A part submitted while its
 * key is idle is committed at once, so nothing waits when there is nothing to join. Each submitter
 * learns its result only once the commit holding its part is done. Should a joint commit fail, each
 * of its parts is committed on its own, so that one bad part fails only its own submitter.
 */
export class CommitQueue<Part, Result> {
  private readonly waiting = new Map<string, Waiting<Part, Result>[]>();
  private readonly busy = new Set<string>();

  /** `commit` returns a result per part, in order. */
  constructor(
    private readonly commit: (key: string, parts: Part[]) => Promise<Result[]>,
    private readonly maxParts: number,
  ) {}

  submit(key: string, part: Part): Promise<Result> {
    return new Promise<Result>((settle, fail) => {
      const queue = this.waiting.get(key) ?? [];
      queue.push({ part, settle, fail });
      this.waiting.set(key, queue);
      if (!this.busy.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.busy.add(key);
    try {
      for (let queue = this.waiting.get(key); queue?.length; queue = this.waiting.get(key)) {
        const taken = queue.splice(0, this.maxParts);
        if (queue.length === 0) this.waiting.delete(key);
        await this.commitTogether(key, taken);
      }
    } finally {
      this.busy.delete(key);
    }
  }

  private async commitTogether(key: string, taken: Waiting<Part, Result>[]): Promise<void> {
    try {
      const results = await this.commit(
        key,
        taken.map((w) => w.part),
      );
      taken.forEach((w, i) => w.settle(results[i]));
    } catch (error) {
      if (taken.length === 1) return taken[0].fail(error);
      // At once, not one after another: when the database is the trouble, all fail in one wait.
      await Promise.all(
        taken.map(async (w) => {
          try {
            const [result] = await this.commit(key, [w.part]);
            w.settle(result);
          } catch (alone) {
            w.fail(alone);
          }
        }),
      );
    }
  }
}
