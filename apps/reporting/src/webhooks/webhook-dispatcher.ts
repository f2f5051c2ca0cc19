import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Transactions } from '@sextant/platform/database';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { REPORTING_CONFIG, type ReportingConfig } from '../config';
import { sealingContext, unsealSecret } from './secret-sealing';
import { isFinalFailure, retryDelayMs, webhookSignature } from './webhook-message';
import { guardedLookup, refuseWebhookUrl, type UrlPolicy } from './webhook-url';
import { urlPolicyOf } from './webhooks.service';

/** Due deliveries one replica claims per pass. */
const CLAIM_LIMIT = 20;
/** Bytes of a failed answer kept as its last error. */
const ERROR_BODY_BYTES = 300;

type Outcome = { status: number; error: string | null } | { status: null; error: string; final: boolean };

interface DeliveryRow {
  webhook_id: string;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  body: string;
  status: string;
  attempts: number;
}

interface Claimed {
  tenant_id: string;
  delivery_id: string;
}

/**
 * Sends queued webhook deliveries. Each pass claims due slots with `FOR UPDATE SKIP LOCKED` and
 * leases them (pushes their time past the request timeout) in a short transaction, so replicas
 * never send one delivery at the same time; the HTTP request runs outside any transaction; the
 * outcome is recorded in the tenant's transaction. A replica dying mid-request leaves the lease to
 * run out and the delivery to be retried: delivery is at least once, and receivers deduplicate
 * with `x-sextant-delivery-id`.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly sealingKey: Buffer;
  private readonly urlPolicy: UrlPolicy;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<unknown>;

  constructor(
    private readonly transactions: Transactions,
    @Inject(REPORTING_CONFIG) private readonly config: ReportingConfig,
  ) {
    this.sealingKey = Buffer.from(config.REPORTING_WEBHOOK_SECRET_KEY, 'base64');
    this.urlPolicy = urlPolicyOf(config);
  }

  onApplicationBootstrap() {
    const every = this.config.REPORTING_WEBHOOK_POLL_MS;
    if (every > 0) this.timer = setInterval(() => void this.tick(), every);
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.pass;
  }

  private async tick() {
    if (this.pass) return;
    this.pass = this.deliverDue()
      .catch((error: Error) => this.logger.error(`webhook delivery pass: ${error.message}`))
      .finally(() => (this.pass = undefined));
  }

  /** Attempts every due delivery once; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const leaseSeconds = Math.ceil((2 * this.config.REPORTING_WEBHOOK_TIMEOUT_MS) / 1000) + 30;
    const claimed: Claimed[] = await this.transactions.system((m) =>
      m.query(
        `with due as (
           select tenant_id, delivery_id from webhook_delivery_slots where next_attempt_at <= now()
           order by next_attempt_at limit $1 for update skip locked),
         leased as (
           update webhook_delivery_slots s set next_attempt_at = now() + make_interval(secs => $2)
           from due where s.tenant_id = due.tenant_id and s.delivery_id = due.delivery_id
           returning s.tenant_id, s.delivery_id)
         select * from leased`,
        [CLAIM_LIMIT, leaseSeconds],
      ),
    );
    await Promise.all(
      claimed.map((c) =>
        this.attempt(c.tenant_id, c.delivery_id).catch((error: Error) =>
          // The lease runs out and the delivery is attempted again later.
          this.logger.error(`webhook delivery ${c.delivery_id}: ${error.message}`),
        ),
      ),
    );
    return claimed.length;
  }

  private async attempt(tenantId: string, deliveryId: string) {
    const [delivery]: DeliveryRow[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(
        `select d.webhook_id, w.url, w.enabled, w.secret_sealed, d.body, d.status, d.attempts
         from webhook_deliveries d join webhook_subscriptions w using (tenant_id, webhook_id)
         where d.delivery_id = $1`,
        [deliveryId],
      ),
    );
    if (!delivery || delivery.status !== 'pending') {
      await this.transactions.system((m) =>
        m.query(`delete from webhook_delivery_slots where tenant_id = $1 and delivery_id = $2`, [
          tenantId,
          deliveryId,
        ]),
      );
      return;
    }
    const outcome = await this.send(tenantId, deliveryId, delivery);
    const attempts = delivery.attempts + 1;
    const delivered = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    const final =
      delivered ||
      attempts >= this.config.REPORTING_WEBHOOK_MAX_ATTEMPTS ||
      (outcome.status === null ? outcome.final : isFinalFailure(outcome.status));
    const status = delivered ? 'delivered' : final ? 'failed' : 'pending';
    const delayMs = final ? 0 : retryDelayMs(attempts, this.config.REPORTING_WEBHOOK_RETRY_BASE_MS);
    await this.transactions.forTenant(tenantId, async (m) => {
      await m.query(
        `update webhook_deliveries set attempts = $2, status = $3, last_status_code = $4, last_error = $5,
           next_attempt_at = case when $3 = 'pending' then now() + make_interval(secs => $6 / 1000.0) end,
           delivered_at = case when $3 = 'delivered' then now() end
         where delivery_id = $1`,
        [deliveryId, attempts, status, outcome.status, outcome.error, delayMs],
      );
      if (final)
        await m.query(`delete from webhook_delivery_slots where tenant_id = $1 and delivery_id = $2`, [
          tenantId,
          deliveryId,
        ]);
      else
        await m.query(
          `update webhook_delivery_slots set next_attempt_at = now() + make_interval(secs => $3 / 1000.0)
           where tenant_id = $1 and delivery_id = $2`,
          [tenantId, deliveryId, delayMs],
        );
    });
  }

  private async send(tenantId: string, deliveryId: string, delivery: DeliveryRow): Promise<Outcome> {
    if (!delivery.enabled) return { status: null, error: 'the webhook is disabled', final: true };
    let secret: string;
    try {
      secret = unsealSecret(
        delivery.secret_sealed,
        this.sealingKey,
        sealingContext(tenantId, delivery.webhook_id),
      );
    } catch {
      return {
        status: null,
        error: 'the signing secret cannot be unsealed (was REPORTING_WEBHOOK_SECRET_KEY changed?)',
        final: true,
      };
    }
    return this.post(delivery.url, delivery.body, {
      'content-type': 'application/json',
      'user-agent': 'Sextant-Webhooks/1',
      'x-sextant-delivery-id': deliveryId,
      'x-sextant-signature': webhookSignature(secret, delivery.body, Math.floor(Date.now() / 1000)),
    });
  }

  /** One POST, redirects not followed, addresses checked on connect, bounded in time. */
  private post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
    const refused = refuseWebhookUrl(url, this.urlPolicy);
    if (refused) return Promise.resolve({ status: null, error: `refused: ${refused}`, final: true });
    const timeoutMs = this.config.REPORTING_WEBHOOK_TIMEOUT_MS;
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const request = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup: guardedLookup(this.urlPolicy),
          signal: AbortSignal.timeout(timeoutMs),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < ERROR_BODY_BYTES) chunks.push(chunk.subarray(0, ERROR_BODY_BYTES - kept));
            kept += chunk.length;
          });
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status,
              error: status >= 200 && status < 300 ? null : `HTTP ${status}${text ? `: ${text}` : ''}`,
            });
          });
          response.on('error', () => resolve({ status, error: `HTTP ${status}, answer cut off` }));
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        const timedOut = error.name === 'AbortError' || error.code === 'ABORT_ERR';
        resolve({
          status: null,
          error: timedOut ? `no answer within ${timeoutMs} ms` : error.message,
          final: error.code === 'EFORBIDDEN',
        });
      });
      request.end(body);
    });
  }
}
