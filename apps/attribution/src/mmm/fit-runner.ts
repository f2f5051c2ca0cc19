import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { FitCancelledError, fitMmm, type MmmConfigInput, type MmmFit } from '@sextant/domain/mmm';
import { Transactions } from '@sextant/platform/database';
import { addToOutbox } from '@sextant/platform/messaging';
import { In } from 'typeorm';
import { diagnosticsView, fitCompletedEvent, fitResultView, storeResponse } from './fit-views';
import type { FitSampling } from './fits.service';
import { MMM_SETTINGS, type MmmSettings } from './mmm.config';
import { type ChainProgress, type FitStatus, MmmFitRecord } from './mmm.entities';

interface HeldFit {
  tenantId: string;
  fitId: string;
  abort?: AbortController;
  progress?: ChainProgress[];
}

const FLUSH_MS = 1_000;
const HEARTBEAT_MS = 5_000;

/**
 * Runs the fits this replica took from the work topic, at most MMM_MAX_CONCURRENT_FITS at a time,
 * outside the consumer's transaction (a fit takes minutes; the topic's offsets move on at once).
 * Chains run in worker threads. Progress and a heartbeat are written about once a second, and a
 * `cancelling` status seen there aborts the chains. On shutdown the fits it holds go back to
 * `queued` with a new job message, so another replica (or this one, restarted) runs them.
 */
@Injectable()
export class MmmFitRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MmmFitRunner');
  private readonly waiting: HeldFit[] = [];
  private readonly running = new Set<HeldFit>();
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly transactions: Transactions,
    @Inject(MMM_SETTINGS) private readonly settings: MmmSettings,
  ) {}

  onApplicationBootstrap() {
    this.heartbeat = setInterval(() => void this.touchWaiting(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Takes a fit announced on the work topic; it starts when a slot is free. */
  enqueue(tenantId: string, fitId: string): void {
    if (this.stopping) return;
    if ([...this.waiting, ...this.running].some((f) => f.fitId === fitId)) return;
    this.waiting.push({ tenantId, fitId });
    setImmediate(() => this.pump());
  }

  private pump() {
    while (
      !this.stopping &&
      this.running.size < this.settings.MMM_MAX_CONCURRENT_FITS &&
      this.waiting.length
    ) {
      const held = this.waiting.shift()!;
      this.running.add(held);
      void this.run(held)
        .catch((error: unknown) =>
          this.logger.error(`fit ${held.fitId} could not be recorded: ${String(error)}`),
        )
        .finally(() => {
          this.running.delete(held);
          this.pump();
        });
    }
  }

  private async run(held: HeldFit): Promise<void> {
    const { tenantId, fitId } = held;
    const fit = await this.transactions.forTenant(tenantId, async (manager) => {
      const claimed = await manager.update(
        MmmFitRecord,
        { tenantId, fitId, status: 'queued' },
        { status: 'running', startedAt: new Date(), heartbeatAt: new Date() },
      );
      return claimed.affected ? manager.findOneByOrFail(MmmFitRecord, { tenantId, fitId }) : null;
    });
    if (!fit) return; // cancelled while queued, or already taken
    held.abort = new AbortController();
    held.progress = fit.progress.map((p) => ({ ...p, done: 0 }));
    let lastFlush = 0;
    const sampling = fit.sampling as FitSampling;
    let outcome: { status: FitStatus; fit: MmmFit | null; error: string | null };
    try {
      const result = await fitMmm(fit.data, fit.config as MmmConfigInput, {
        ...sampling,
        signal: held.abort.signal,
        onProgress: (chain, done, total) => {
          held.progress![chain] = { chain, done, total };
          if (Date.now() - lastFlush >= FLUSH_MS) {
            lastFlush = Date.now();
            void this.flush(held);
          }
        },
      });
      outcome = {
        status: result.results ? 'succeeded' : 'not_converged',
        fit: result,
        error: null,
      };
    } catch (error) {
      if (error instanceof FitCancelledError && this.stopping) return this.requeue(held);
      outcome =
        error instanceof FitCancelledError
          ? { status: 'cancelled', fit: null, error: null }
          : { status: 'failed', fit: null, error: (error as Error).message };
    }
    await this.finish(fit, held, outcome);
  }

  /** Writes progress and the heartbeat; aborts the chains when a cancel was requested. */
  private async flush(held: HeldFit): Promise<void> {
    try {
      const status = await this.transactions.forTenant(held.tenantId, async (manager) => {
        await manager.update(
          MmmFitRecord,
          { tenantId: held.tenantId, fitId: held.fitId },
          { progress: held.progress, heartbeatAt: new Date() },
        );
        const fit = await manager.findOne(MmmFitRecord, {
          where: { tenantId: held.tenantId, fitId: held.fitId },
          select: { status: true },
        });
        return fit?.status;
      });
      if (status === 'cancelling') held.abort?.abort();
    } catch (error) {
      this.logger.warn(`progress of fit ${held.fitId} not written: ${String(error)}`);
    }
  }

  private async finish(
    record: MmmFitRecord,
    held: HeldFit,
    outcome: { status: FitStatus; fit: MmmFit | null; error: string | null },
  ): Promise<void> {
    const { fit, status, error } = outcome;
    await this.transactions.forTenant(record.tenantId, async (manager) => {
      const updated = await manager.update(
        MmmFitRecord,
        { tenantId: record.tenantId, fitId: record.fitId, status: In(['running', 'cancelling']) },
        {
          status,
          error,
          progress: held.progress,
          verdict: fit?.diagnostics.verdict ?? null,
          diagnostics: fit ? diagnosticsView(fit) : null,
          warnings: fit ? fit.warnings : record.warnings,
          result: fit ? fitResultView(record.fitId, record.data, fit) : null,
          response: fit?.results ? storeResponse(fit.response) : null,
          completedAt: new Date(),
          heartbeatAt: new Date(),
        },
      );
      if (!updated.affected) return; // reported failed meanwhile (stale heartbeat)
      const eventStatus = status === 'succeeded' || status === 'cancelled' ? status : 'failed';
      await addToOutbox(manager, 'attribution.mmm-fit.completed.v1', {
        tenantId: record.tenantId,
        key: record.tenantId,
        payload: fitCompletedEvent(
          record,
          fit,
          eventStatus,
          error ?? (fit?.results ? null : (fit?.diagnostics.verdict ?? null)),
        ),
      });
    });
    this.logger.log(`fit ${record.fitId} ended ${status}`);
  }

  /** Hands a fit back to the work topic (shutdown): queued again, with a new job message. */
  private async requeue(held: HeldFit): Promise<void> {
    await this.transactions.forTenant(held.tenantId, async (manager) => {
      await manager.update(
        MmmFitRecord,
        { tenantId: held.tenantId, fitId: held.fitId, status: In(['queued', 'running']) },
        { status: 'queued', startedAt: null, heartbeatAt: new Date() },
      );
      await addToOutbox(manager, 'attribution.mmm-job.requested.v1', {
        tenantId: held.tenantId,
        key: held.fitId,
        payload: { tenantId: held.tenantId, fitId: held.fitId, requestedAt: new Date().toISOString() },
      });
    });
  }

  /** Fits waiting for a slot are held by this replica: keep their heartbeat fresh too. */
  private async touchWaiting(): Promise<void> {
    for (const held of [...this.waiting, ...this.running]) {
      if (this.running.has(held) && held.abort) continue; // running fits beat at each flush
      await this.transactions
        .forTenant(held.tenantId, (m) =>
          m.update(MmmFitRecord, { tenantId: held.tenantId, fitId: held.fitId }, { heartbeatAt: new Date() }),
        )
        .catch((error: unknown) => this.logger.warn(`heartbeat of fit ${held.fitId}: ${String(error)}`));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    const waiting = this.waiting.splice(0);
    for (const held of this.running) held.abort?.abort();
    await Promise.allSettled(waiting.map((held) => this.requeue(held)));
    while (this.running.size) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
