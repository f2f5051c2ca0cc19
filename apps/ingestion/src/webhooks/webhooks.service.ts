import { Inject, Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import {
  type CommerceProvider,
  headerValue,
  isPayPalCertUrl,
  normaliseOrderWebhook,
  PAYPAL_HEADERS,
  parseWooCommercePing,
  providerEventId,
  verifyPayPalWebhook,
  verifyShopifyWebhook,
  verifyStripeWebhook,
  verifyWooCommerceWebhook,
  type WebhookHeaders,
  type WebhookVerification,
} from '@sextant/domain/ingestion';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem, type FieldError } from '@sextant/platform/http';
import type { EntityManager } from 'typeorm';
import { INGESTION_CONFIG, type IngestionConfig } from '../config';
import { OrderRecorder } from '../orders/order-recorder';
import { type SourceCredentials, unsealCredentials } from './credential-sealing';
import { PayPalCertificates } from './paypal-certificates';
import { type DeliveryOutcome, WebhookMetrics } from './webhook-metrics';
import { WebhookSource } from './webhook-source.entity';

type WebhookReceipt = ingestionApi.components['schemas']['WebhookReceipt'];

export interface IncomingWebhook {
  provider: CommerceProvider;
  sourceId: string;
  rawBody: Buffer;
  headers: WebhookHeaders;
}

const TOPIC_HEADERS: Partial<Record<CommerceProvider, string>> = {
  shopify: 'X-Shopify-Topic',
  woocommerce: 'X-WC-Webhook-Topic',
};

/**
 * One delivery: find the source's tenant, verify the signature over the raw bytes, deduplicate on
 * the provider's event id and fold the order events into the stored orders, the dedup row, the
 * orders and their outbox messages in one transaction. Refusals are counted on the source.
 */
@Injectable()
export class WebhooksService {
  private readonly secretsKey: Buffer;
  private readonly checkPayPalCertValidity: boolean;

  constructor(
    private readonly transactions: Transactions,
    private readonly certificates: PayPalCertificates,
    private readonly orders: OrderRecorder,
    private readonly metrics: WebhookMetrics,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
  ) {
    this.secretsKey = Buffer.from(config.INGESTION_SECRETS_KEY, 'base64');
    this.checkPayPalCertValidity = config.INGESTION_PAYPAL_CERT_VALIDITY;
  }

  async receive(webhook: IncomingWebhook): Promise<WebhookReceipt> {
    const source = await this.findSource(webhook.provider, webhook.sourceId);
    const { tenantId, sourceId, provider } = source;
    if (provider === 'woocommerce' && parseWooCommercePing(webhook.rawBody, webhook.headers)) {
      this.metrics.count(provider, sourceId, 'ping');
      return { outcome: 'ping' };
    }

    const credentials = unsealCredentials(
      source.sealedCredentials,
      this.secretsKey,
      `${tenantId}/${sourceId}`,
    );
    const verification = await this.verify(webhook, credentials);
    if (!verification.ok) {
      await this.countRefusal(source, 'signature_failure');
      throw new ApiProblem(
        401,
        'invalid_signature',
        `The ${provider} signature is not valid: ${verification.reason}.`,
        [{ field: verification.field, message: verification.reason }],
      );
    }

    const body = parseJson(webhook.rawBody);
    const topic = TOPIC_HEADERS[provider] ? headerValue(webhook.headers, TOPIC_HEADERS[provider]) : undefined;
    const eventId = body.ok ? providerEventId(provider, webhook.headers, body.value) : undefined;
    const normalised = body.ok
      ? normaliseOrderWebhook({ provider, topic, body: body.value, emailSalt: tenantId })
      : undefined;
    const problems: FieldError[] = !body.ok
      ? [{ field: '/body', message: body.reason }]
      : [
          ...(eventId && !eventId.ok ? eventId.problems : []),
          ...(normalised && !normalised.ok ? normalised.problems : []),
        ].map((problem) => ({ field: problem.path || '/body', message: problem.reason }));
    if (problems.length || !eventId?.ok || !normalised?.ok) {
      await this.countRefusal(source, 'rejected');
      throw ApiProblem.badRequest(`The ${provider} delivery is signed but cannot be read.`, problems);
    }

    let suppressedCustomers = 0;
    const receipt = await this.transactions.forTenant(tenantId, async (manager): Promise<WebhookReceipt> => {
      const inserted = (await manager.query(
        `INSERT INTO ingestion.webhook_deliveries (tenant_id, event_id, source_id, topic, received_at)
         VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING RETURNING event_id`,
        [tenantId, eventId.eventId, sourceId, topic ?? null],
      )) as unknown[];
      const duplicate = inserted.length === 0;
      await this.countDelivery(manager, sourceId, duplicate);
      if (duplicate) return { outcome: 'duplicate', eventId: eventId.eventId };
      if (normalised.ignored !== undefined) return { outcome: 'ignored', eventId: eventId.eventId };

      const recorded = [];
      for (const event of normalised.events)
        recorded.push(await this.orders.record(manager, { tenantId, sourceId }, event));
      suppressedCustomers = recorded.filter((order) => order.customerSuppressed).length;
      return {
        outcome: recorded.some((order) => order.changed) ? 'recorded' : 'unchanged',
        eventId: eventId.eventId,
        orders: recorded.map(({ orderId, revision }) => ({ orderId, revision })),
      };
    });
    this.metrics.count(provider, sourceId, receipt.outcome as DeliveryOutcome);
    this.metrics.countSuppressedCustomers(provider, suppressedCustomers);
    return receipt;
  }

  /** The source, found without knowing the tenant first (see the Commerce migration). */
  private async findSource(provider: CommerceProvider, sourceId: string): Promise<WebhookSource> {
    const notFound = ApiProblem.notFound(`No ${provider} webhook source ${sourceId}.`);
    const [row] = await this.transactions.system(
      (manager) =>
        manager.query('SELECT ingestion.webhook_source_tenant($1) AS tenant_id', [sourceId]) as Promise<
          { tenant_id: string | null }[]
        >,
    );
    if (!row?.tenant_id) throw notFound;
    const source = await this.transactions.forTenant(row.tenant_id, (manager) =>
      manager.findOneBy(WebhookSource, { sourceId }),
    );
    if (!source || source.provider !== provider) throw notFound;
    return source;
  }

  private async verify(
    webhook: IncomingWebhook,
    credentials: SourceCredentials,
  ): Promise<WebhookVerification> {
    const { rawBody, headers } = webhook;
    const secret = credentials.secret ?? [];
    switch (webhook.provider) {
      case 'shopify':
        return verifyShopifyWebhook({ rawBody, headers, secret });
      case 'woocommerce':
        return verifyWooCommerceWebhook({ rawBody, headers, secret });
      case 'stripe':
        return verifyStripeWebhook({ rawBody, headers, secret, now: Date.now() });
      case 'paypal': {
        // Only a PayPal host is ever asked for a certificate; any other URL is refused by the verifier.
        const certUrl = headerValue(headers, PAYPAL_HEADERS.certUrl) ?? '';
        const certificatePem = isPayPalCertUrl(certUrl) ? await this.certificates.pem(certUrl) : '';
        return verifyPayPalWebhook({
          rawBody,
          headers,
          webhookId: credentials.webhookId ?? '',
          certificatePem,
          now: this.checkPayPalCertValidity ? Date.now() : undefined,
        });
      }
    }
  }

  private async countDelivery(manager: EntityManager, sourceId: string, duplicate: boolean): Promise<void> {
    await manager.query(
      `UPDATE ingestion.webhook_sources
          SET deliveries = deliveries + 1, duplicates = duplicates + $2, last_seen_at = now()
        WHERE source_id = $1`,
      [sourceId, duplicate ? 1 : 0],
    );
  }

  private async countRefusal(
    source: WebhookSource,
    outcome: 'signature_failure' | 'rejected',
  ): Promise<void> {
    const column = outcome === 'signature_failure' ? 'signature_failures' : 'rejected';
    await this.transactions.forTenant(source.tenantId, (manager) =>
      manager.query(`UPDATE ingestion.webhook_sources SET ${column} = ${column} + 1 WHERE source_id = $1`, [
        source.sourceId,
      ]),
    );
    this.metrics.count(source.provider, source.sourceId, outcome);
  }
}

function parseJson(rawBody: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(rawBody.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `is not JSON: ${(error as Error).message}` };
  }
}
