import type { Transactions } from '@sextant/platform/database';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { DAILY_CHANNEL_COLUMNS, ExportsService } from './exports.service';

/**
 * The stream plumbing of an export when a page query fails half-way (the database's behaviour is
 * covered by marts.int-spec.ts; here the failure is injected): the download must fail, and the
 * failure must stay inside the stream rather than end the service.
 */
describe('export streams when a page fails', () => {
  const page = (size: number) =>
    Array.from({ length: size }, (_, i) => ({
      ...Object.fromEntries(DAILY_CHANNEL_COLUMNS.map((c) => [c, 0])),
      day: '2024-01-01',
      channel: 'email',
      campaign: `campaign-${i}`,
      currency: 'USD',
    }));

  /** Transactions whose first page is full and whose second query fails like a lost connection. */
  const failingOnSecondPage = (): Transactions => {
    let queries = 0;
    const manager = {
      query: async () => {
        if (++queries === 2) throw new Error('Connection terminated unexpectedly');
        return page(5_000);
      },
    } as unknown as EntityManager;
    return {
      forTenant: (_tenantId: string, work: (m: EntityManager) => unknown) => work(manager),
    } as Transactions;
  };

  /** Reads a stream to its end or its error; the bytes received either way. */
  const drain = async (stream: Readable) => {
    let bytes = 0;
    try {
      for await (const chunk of stream) bytes += (chunk as Buffer | string).length;
      return { bytes, error: undefined };
    } catch (error) {
      return { bytes, error: error as Error };
    }
  };

  it.each(['csv', 'json'] as const)(
    'fails the %s stream with the error, after the rows already sent',
    async (format) => {
      const stream = new ExportsService(failingOnSecondPage()).dailyChannel(
        randomUUID(),
        { from: '2024-01-01', to: '2024-01-31' },
        format,
      );
      const { bytes, error } = await drain(stream);
      expect(error?.message).toBe('Connection terminated unexpectedly');
      // The first page (5,000 rows of at least 20 bytes) went out before the failure.
      expect(bytes).toBeGreaterThan(5_000 * 20);
    },
  );
});
