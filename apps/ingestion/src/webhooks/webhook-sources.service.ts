import { Inject, Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { randomUUID } from 'node:crypto';
import { INGESTION_CONFIG, type IngestionConfig } from '../config';
import { sealCredentials, type SourceCredentials } from './credential-sealing';
import { WebhookSource } from './webhook-source.entity';

type Schemas = ingestionApi.components['schemas'];
type SourceRequest = Schemas['WebhookSourceRequest'];
type SourceView = Schemas['WebhookSource'];

/** Which credential each provider's signatures are verified with. */
const REQUIRED_CREDENTIAL = {
  shopify: 'secret',
  woocommerce: 'secret',
  stripe: 'secret',
  paypal: 'webhookId',
} as const;

@Injectable()
export class WebhookSourcesService {
  private readonly key: Buffer;

  constructor(
    private readonly transactions: Transactions,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
  ) {
    this.key = Buffer.from(config.INGESTION_SECRETS_KEY, 'base64');
  }

  create(tenantId: string, request: SourceRequest): Promise<SourceView> {
    const needed = REQUIRED_CREDENTIAL[request.provider];
    const unused = needed === 'secret' ? 'webhookId' : 'secret';
    const errors = [
      ...(request[needed] === undefined
        ? [{ field: `/body/${needed}`, message: `is required for ${request.provider}` }]
        : []),
      ...(request[unused] !== undefined
        ? [{ field: `/body/${unused}`, message: `is not used by ${request.provider}` }]
        : []),
    ];
    if (errors.length)
      throw ApiProblem.badRequest(`A ${request.provider} source needs its ${needed}.`, errors);

    const sourceId = randomUUID();
    const credentials: SourceCredentials = { [needed]: request[needed] };
    const source: WebhookSource = {
      tenantId,
      sourceId,
      provider: request.provider,
      name: request.name,
      sealedCredentials: sealCredentials(credentials, this.key, `${tenantId}/${sourceId}`),
      createdAt: new Date(),
      lastSeenAt: null,
      deliveries: 0,
      duplicates: 0,
      signatureFailures: 0,
      rejected: 0,
    };
    return this.transactions.forTenant(tenantId, async (manager) => {
      await manager.insert(WebhookSource, source);
      return toView(source);
    });
  }

  list(tenantId: string): Promise<SourceView[]> {
    return this.transactions.forTenant(tenantId, async (manager) =>
      (await manager.find(WebhookSource, { order: { createdAt: 'DESC', sourceId: 'ASC' } })).map(toView),
    );
  }

  get(tenantId: string, sourceId: string): Promise<SourceView> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const source = await manager.findOneBy(WebhookSource, { sourceId });
      if (!source) throw ApiProblem.notFound(`Webhook source ${sourceId} does not exist.`);
      return toView(source);
    });
  }

  remove(tenantId: string, sourceId: string): Promise<void> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const result = await manager.delete(WebhookSource, { sourceId });
      if (!result.affected) throw ApiProblem.notFound(`Webhook source ${sourceId} does not exist.`);
    });
  }
}

function toView(source: WebhookSource): SourceView {
  return {
    sourceId: source.sourceId,
    provider: source.provider,
    name: source.name,
    webhookPath: `/api/v1/ingestion/webhooks/${source.provider}/${source.sourceId}`,
    createdAt: source.createdAt.toISOString(),
    health: {
      lastSeenAt: source.lastSeenAt?.toISOString() ?? null,
      deliveries: source.deliveries,
      duplicates: source.duplicates,
      signatureFailures: source.signatureFailures,
      rejected: source.rejected,
    },
  };
}
