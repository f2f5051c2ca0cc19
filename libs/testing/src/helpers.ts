import { request as httpRequest } from 'node:http';
import { KafkaClient } from '@sextant/platform/messaging';
import { type Kafka, logLevel } from 'kafkajs';
import pino from 'pino';

/** Polls until `probe` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const quietLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The services' client class (consumers that disconnect fast), silent. */
export const testKafka = (brokers: string[], clientId = 'test'): Kafka =>
  new KafkaClient({ brokers, clientId, logLevel: logLevel.NOTHING });

/**
 * POSTs a body too large to be accepted and resolves with the answer's status and content type.
 * The headers go first and the body only if no answer came within `waitMs`, as a client sending
 * `Expect: 100-continue` would: a server that refuses the body by its Content-Length answers at
 * once and closes the connection, and a client still writing then gets a reset that can discard
 * the answer (EPIPE/ECONNRESET).
 */
export function postOversized(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  waitMs = 3_000,
): Promise<{ status: number; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    });
    request.on('response', (response) => {
      answered = true;
      response.resume();
      resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] });
      request.destroy();
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    request.flushHeaders();
    setTimeout(() => {
      if (!answered) request.end(body);
    }, waitMs);
  });
}
