import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Transactions } from '@sextant/platform/database';
import type { EntityManager } from 'typeorm';
import { REPORTING_CONFIG, type ReportingConfig } from '../config';
import { SignalsService } from './signals.service';

/** Tenants one replica takes per pass. */
const CLAIM_LIMIT = 50;
/** A pass runs this often at most, and at least every interval. */
const MAX_TICK_MS = 60_000;

/**
 * Makes a tenant known to the scheduled detection (in the caller's transaction, when a fact
 * reaches its marts). The slot table is the cross-tenant index of whom to judge and when.
 */
export async function registerForDetection(m: EntityManager, tenantId: string): Promise<void> {
  await m.query(
    `insert into detection_slots (tenant_id, next_run_at) values ($1, now()) on conflict (tenant_id) do nothing`,
    [tenantId],
  );
}

/** The last complete UTC day before `now`. */
export const yesterdayUtc = (now = new Date()) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1))
    .toISOString()
    .slice(0, 10);

/**
 * Scheduled detection: every replica ticks; a pass claims due slots with `FOR UPDATE SKIP LOCKED`
 * and moves each one interval on in the same short transaction, so a tenant is judged at most once
 * per interval whatever the number of replicas. Each tenant is then judged (yesterday, UTC) in its
 * own transaction; a failure waits for the next interval. Judging a day again raises nothing twice
 * (signals are unique per metric, dimension and day), so late facts are still caught next time.
 */
@Injectable()
export class DetectionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DetectionScheduler');
  private timer?: NodeJS.Timeout;
  private pass?: Promise<unknown>;

  constructor(
    private readonly transactions: Transactions,
    private readonly signals: SignalsService,
    @Inject(REPORTING_CONFIG) private readonly config: ReportingConfig,
  ) {}

  onApplicationBootstrap() {
    const interval = this.config.REPORTING_DETECTION_INTERVAL_MS;
    if (interval > 0) this.timer = setInterval(() => void this.tick(), Math.min(interval, MAX_TICK_MS));
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.pass;
  }

  private async tick() {
    if (this.pass) return;
    this.pass = this.runDue()
      .catch((error: Error) => this.logger.error(`scheduled detection: ${error.message}`))
      .finally(() => (this.pass = undefined));
  }

  /** Judges the due tenants; returns which were judged and how many signals were raised. */
  async runDue(day = yesterdayUtc()): Promise<{ judged: string[]; raised: number }> {
    const due: { tenant_id: string }[] = await this.transactions.system((m) =>
      m.query(
        `with due as (
           select tenant_id from detection_slots where next_run_at <= now()
           order by next_run_at limit $1 for update skip locked),
         moved as (
           update detection_slots s set next_run_at = now() + make_interval(secs => $2 / 1000.0)
           from due where s.tenant_id = due.tenant_id returning s.tenant_id)
         select * from moved`,
        [CLAIM_LIMIT, this.config.REPORTING_DETECTION_INTERVAL_MS],
      ),
    );
    let raised = 0;
    const judged: string[] = [];
    for (const { tenant_id: tenantId } of due) {
      judged.push(tenantId);
      try {
        raised += (await this.signals.detect(tenantId, day, null)).length;
      } catch (error) {
        this.logger.error(`scheduled detection of tenant ${tenantId}: ${(error as Error).message}`);
      }
    }
    return { judged, raised };
  }
}
