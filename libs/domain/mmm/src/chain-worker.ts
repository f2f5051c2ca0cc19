/** Worker-thread entry: runs one MMM chain and posts progress and the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { type ChainJob, type ChainMessage, runChainJob } from './chains';

const port = parentPort;
if (port) {
  try {
    const result = runChainJob(workerData as ChainJob, (done) =>
      port.postMessage({ kind: 'progress', done } satisfies ChainMessage),
    );
    const buffers = [
      result.draws,
      result.logDensity,
      result.divergent,
      result.treeDepth,
      result.leapfrogs,
      result.acceptStat,
      result.energy,
    ].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ kind: 'done', result } satisfies ChainMessage, buffers);
  } catch (error) {
    port.postMessage({
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    } satisfies ChainMessage);
  }
}
