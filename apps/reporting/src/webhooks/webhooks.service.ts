import { Inject, Injectable } from '@nestjs/common';
import type { reportingApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { REPORTING_CONFIG, type ReportingConfig } from '../config';
import { PageCursor } from '../dashboards/query-params';
import { newWebhookSecret, sealingContext, sealSecret } from './secret-sealing';
import { refuseWebhookUrl, type UrlPolicy } from './webhook-url';

type Schemas = reportingApi.components['schemas'];
type Webhook = Schemas['SignalWebhook'];
type DeliveryStatus = Schemas['SignalWebhookDelivery']['status'];

/** Subscriptions per tenant: enough for a few channels, few enough to list without paging. */
export const MAX_WEBHOOKS_PER_TENANT = 20;

const WEBHOOK_COLUMNS = 'webhook_id, url, min_severity, enabled, created_at, updated_at';

const toView = (r: Record<string, unknown>): Webhook => ({
  webhookId: r.webhook_id as string,
  url: r.url as string,
  minSeverity: r.min_severity as Webhook['minSeverity'],
  enabled: r.enabled as boolean,
  createdAt: (r.created_at as Date).toISOString(),
  updatedAt: (r.updated_at as Date).toISOString(),
});

const iso = (value: unknown) => (value ? (value as Date).toISOString() : null);

export const urlPolicyOf = (config: ReportingConfig): UrlPolicy => ({
  allowLoopback: config.NODE_ENV !== 'production',
});

@Injectable()
export class WebhooksService {
  private readonly sealingKey: Buffer;
  private readonly urlPolicy: UrlPolicy;

  constructor(
    private readonly transactions: Transactions,
    @Inject(REPORTING_CONFIG) config: ReportingConfig,
  ) {
    this.sealingKey = Buffer.from(config.REPORTING_WEBHOOK_SECRET_KEY, 'base64');
    this.urlPolicy = urlPolicyOf(config);
  }

  async list(tenantId: string): Promise<Webhook[]> {
    const rows: Record<string, unknown>[] = await this.transactions.forTenant(tenantId, (m) =>
      m.query(`select ${WEBHOOK_COLUMNS} from webhook_subscriptions order by created_at desc, webhook_id`),
    );
    return rows.map(toView);
  }

  async create(
    tenantId: string,
    request: Schemas['SignalWebhookRequest'],
  ): Promise<Schemas['SignalWebhookCreated']> {
    this.checkUrl(request.url);
    return this.transactions.forTenant(tenantId, async (m) => {
      // Serialises creations of one tenant, so the limit holds under concurrent requests.
      await m.query(`select pg_advisory_xact_lock(hashtext('reporting.webhooks:' || $1))`, [tenantId]);
      const [{ count }] = await m.query(`select count(*)::int as count from webhook_subscriptions`);
      if (count >= MAX_WEBHOOKS_PER_TENANT)
        throw ApiProblem.badRequest(`A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks.`, [
          { field: '/body', message: `${count} webhooks exist; delete one first` },
        ]);
      const webhookId = randomUUID();
      const secret = newWebhookSecret();
      const [row] = await m.query(
        `insert into webhook_subscriptions (tenant_id, webhook_id, url, min_severity, enabled, secret_sealed)
         values ($1, $2, $3, $4, $5, $6) returning ${WEBHOOK_COLUMNS}`,
        [
          tenantId,
          webhookId,
          request.url,
          request.minSeverity ?? 'low',
          request.enabled ?? true,
          sealSecret(secret, this.sealingKey, sealingContext(tenantId, webhookId)),
        ],
      );
      return { webhook: toView(row), secret };
    });
  }

  async get(tenantId: string, webhookId: string): Promise<Webhook> {
    return this.transactions.forTenant(tenantId, (m) => this.find(m, webhookId));
  }

  async update(
    tenantId: string,
    webhookId: string,
    change: Schemas['SignalWebhookUpdate'],
  ): Promise<Webhook> {
    if (change.url !== undefined) this.checkUrl(change.url);
    return this.transactions.forTenant(tenantId, async (m) => {
      await this.find(m, webhookId);
      const [row] = await m.query(
        `with updated as (
           update webhook_subscriptions set url = coalesce($2, url), min_severity = coalesce($3, min_severity),
             enabled = coalesce($4, enabled), updated_at = now()
           where webhook_id = $1 returning ${WEBHOOK_COLUMNS})
         select * from updated`,
        [webhookId, change.url ?? null, change.minSeverity ?? null, change.enabled ?? null],
      );
      return toView(row);
    });
  }

  /** A new signing secret, returned once; the next attempt of every delivery is signed with it. */
  async rotateSecret(tenantId: string, webhookId: string): Promise<Schemas['SignalWebhookCreated']> {
    return this.transactions.forTenant(tenantId, async (m) => {
      await this.find(m, webhookId);
      const secret = newWebhookSecret();
      const [row] = await m.query(
        `with updated as (
           update webhook_subscriptions set secret_sealed = $2, updated_at = now()
           where webhook_id = $1 returning ${WEBHOOK_COLUMNS})
         select * from updated`,
        [webhookId, sealSecret(secret, this.sealingKey, sealingContext(tenantId, webhookId))],
      );
      return { webhook: toView(row), secret };
    });
  }

  async remove(tenantId: string, webhookId: string): Promise<void> {
    await this.transactions.forTenant(tenantId, async (m) => {
      await this.find(m, webhookId);
      await m.query(`delete from webhook_subscriptions where webhook_id = $1`, [webhookId]);
    });
  }

  async deliveries(
    tenantId: string,
    webhookId: string,
    q: { status?: DeliveryStatus; limit: number; cursor?: string },
  ): Promise<Schemas['SignalWebhookDeliveryPage']> {
    const offset = PageCursor.decode(q.cursor, { webhookId, status: q.status });
    const rows: Record<string, unknown>[] = await this.transactions.forTenant(tenantId, async (m) => {
      await this.find(m, webhookId);
      return m.query(
        `select delivery_id, signal_id, status, attempts, last_status_code, last_error, next_attempt_at,
                delivered_at, created_at
         from webhook_deliveries where webhook_id = $1 and ($2::text is null or status = $2)
         order by created_at desc, delivery_id limit $3 offset $4`,
        [webhookId, q.status ?? null, q.limit + 1, offset],
      );
    });
    return {
      items: rows.slice(0, q.limit).map((r) => ({
        deliveryId: r.delivery_id as string,
        signalId: r.signal_id as string,
        status: r.status as DeliveryStatus,
        attempts: r.attempts as number,
        lastStatusCode: r.last_status_code as number | null,
        lastError: r.last_error as string | null,
        nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
        deliveredAt: iso(r.delivered_at),
        createdAt: (r.created_at as Date).toISOString(),
      })),
      nextCursor:
        rows.length > q.limit ? PageCursor.encode(offset + q.limit, { webhookId, status: q.status }) : null,
    };
  }

  private checkUrl(url: string) {
    const refused = refuseWebhookUrl(url, this.urlPolicy);
    if (refused)
      throw ApiProblem.badRequest(`The webhook URL is refused: ${refused}.`, [
        { field: '/body/url', message: refused },
      ]);
  }

  private async find(m: EntityManager, webhookId: string): Promise<Webhook> {
    const [row] = await m.query(
      `select ${WEBHOOK_COLUMNS} from webhook_subscriptions where webhook_id = $1`,
      [webhookId],
    );
    if (!row) throw ApiProblem.notFound(`No webhook ${webhookId}.`);
    return toView(row);
  }
}
