import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MmmConfig, MmmData } from './config';
import { MmmModel } from './model';
import { type ChainResult, runChain } from './nuts';

export interface SamplingOptions {
  chains: number;
  tune: number;
  draws: number;
  seed: number;
  maxTreeDepth: number;
  targetAccept: number;
  /**
   * 'threads': one worker thread per chain (needs the compiled chain-worker.js next to this
   * module); 'in-process': chains run one after another on the calling thread; 'auto': threads
   * when running compiled JavaScript, in-process when running the TypeScript sources (jest).
   * Both give identical draws for the same seed.
   */
  parallel: 'auto' | 'threads' | 'in-process';
  /** Progress: iterations done per chain, out of tune + draws. */
  onProgress?: (chain: number, done: number, total: number) => void;
  /** Aborting stops every chain (worker threads are terminated) and rejects with `FitCancelledError`. */
  signal?: AbortSignal;
}

export class FitCancelledError extends Error {
  override name = 'FitCancelledError';
  constructor() {
    super('the fit was cancelled');
  }
}

export const DEFAULT_SAMPLING: Omit<SamplingOptions, 'onProgress' | 'signal'> = {
  chains: 4,
  tune: 1000,
  draws: 1000,
  seed: 20_241,
  maxTreeDepth: 10,
  // Above Stan's 0.8: adstock/saturation posteriors have curved, funnel-like regions when a
  // channel's effect is small (PyMC-Marketing's examples use 0.9 and more for the same reason).
  targetAccept: 0.9,
  parallel: 'auto',
};

/** What a chain worker receives (structured-cloneable). */
export interface ChainJob {
  data: MmmData;
  config: MmmConfig;
  chain: number;
  tune: number;
  draws: number;
  seed: number;
  maxTreeDepth: number;
  targetAccept: number;
}

export type ChainMessage =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; result: ChainResult }
  | { kind: 'error'; message: string };

export function runChainJob(job: ChainJob, onProgress?: (done: number) => void): ChainResult {
  const model = new MmmModel(job.data, job.config);
  return runChain(model, {
    tune: job.tune,
    draws: job.draws,
    seed: job.seed,
    chain: job.chain,
    maxTreeDepth: job.maxTreeDepth,
    targetAccept: job.targetAccept,
    onProgress,
    progressEvery: 25,
  });
}

export const CHAIN_WORKER_FILE = path.join(__dirname, 'chain-worker.js');

function useThreads(parallel: SamplingOptions['parallel']): boolean {
  if (parallel === 'in-process') return false;
  if (parallel === 'threads') return true;
  return __filename.endsWith('.js');
}

export async function sampleMmm(
  data: MmmData,
  config: MmmConfig,
  options: SamplingOptions,
): Promise<ChainResult[]> {
  const jobs: ChainJob[] = Array.from({ length: options.chains }, (_, chain) => ({
    data,
    config,
    chain,
    tune: options.tune,
    draws: options.draws,
    seed: options.seed,
    maxTreeDepth: options.maxTreeDepth,
    targetAccept: options.targetAccept,
  }));
  const total = options.tune + options.draws;
  const { signal } = options;
  if (signal?.aborted) throw new FitCancelledError();
  if (!useThreads(options.parallel)) {
    // In-process chains block the thread: the signal is checked at each progress report.
    return jobs.map((job) =>
      runChainJob(job, (done) => {
        if (signal?.aborted) throw new FitCancelledError();
        options.onProgress?.(job.chain, done, total);
      }),
    );
  }
  return Promise.all(
    jobs.map(
      (job) =>
        new Promise<ChainResult>((resolve, reject) => {
          const worker = new Worker(CHAIN_WORKER_FILE, { workerData: job });
          let settled = false;
          const cancel = () => {
            if (settled) return;
            settled = true;
            void worker.terminate();
            reject(new FitCancelledError());
          };
          signal?.addEventListener('abort', cancel, { once: true });
          worker.once('exit', () => signal?.removeEventListener('abort', cancel));
          worker.on('message', (message: ChainMessage) => {
            if (message.kind === 'progress') options.onProgress?.(job.chain, message.done, total);
            else if (message.kind === 'done') {
              settled = true;
              resolve(message.result);
            } else {
              settled = true;
              reject(new Error(`chain ${job.chain}: ${message.message}`));
            }
          });
          worker.on('error', (error) => {
            settled = true;
            reject(error);
          });
          worker.on('exit', (code) => {
            if (!settled) reject(new Error(`chain ${job.chain}: worker exited with code ${code}`));
          });
        }),
    ),
  );
}
