/** PostgreSQL error codes worth one more try of the whole transaction. */
const RETRYABLE = new Set(['40P01', '40001']);

/** Runs a transaction again (up to `attempts` times) when PostgreSQL aborted it for a deadlock or serialisation failure. */
export async function withDeadlockRetry<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code =
        (error as { code?: string; driverError?: { code?: string } }).code ??
        (error as { driverError?: { code?: string } }).driverError?.code;
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) throw error;
    }
  }
}
