// Open-loop load at a fixed rate, shared by the benchmarks that report latency at a given rate.
import { Pool } from 'undici';

export interface OpenLoopResult {
  /** 2xx answers per second of the run. */
  achievedRate: number;
  /** Latencies in ms of the 2xx answers, from each request's scheduled time to the end of its body. */
  latencies: number[];
  errors: number;
}

/**
 * Request i is sent at start + i / rate whatever the answers do (evenly spaced, not in bursts as
 * autocannon's overallRate sends each connection's share of a second), on up to `connections`
 * keep-alive connections. Time spent queued behind slow answers counts (no coordinated omission).
 */
export async function openLoop(
  base: string,
  request: (i: number) => {
    path: string;
    headers?: Record<string, string>;
    method?: 'GET' | 'POST';
    body?: string;
  },
  seconds: number,
  rate: number,
  connections = 50,
): Promise<OpenLoopResult> {
  const pool = new Pool(base, { connections, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < seconds * rate; i++) {
    const due = start + (i * 1_000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const { path, headers, method = 'GET', body } = request(i);
    // Sent up to a millisecond early (timers are no finer): measured from the actual send then.
    const from = Math.max(due, performance.now());
    pending.push(
      pool
        .request({ method, path, headers, body })
        .then(async (response) => {
          await response.body.dump();
          if (response.statusCode < 300) latencies.push(performance.now() - from);
          else errors++;
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(pending);
  await pool.close();
  return { achievedRate: latencies.length / seconds, latencies, errors };
}
