import type { EventPayloads } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import type { Transactions } from '@sextant/platform/database';
import { type ContractValidator, serverSpanOf, toOpenApiPath } from '@sextant/platform/http';
import type { Logger } from '@sextant/platform/logging';
import { addToOutbox } from '@sextant/platform/messaging';
import { withActiveSpan } from '@sextant/platform/telemetry';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

type AuditEvent = EventPayloads['audit.event.recorded.v1'];

/** `all`: successful state changes and denials; `denials`: only 401/403 (auth audits its own changes). */
export type AuditTrailMode = 'all' | 'denials';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CLIENT_ADDRESS_HEADER = 'x-sextant-client-ip';

export interface AuditTrailOptions {
  service: string;
  mode: AuditTrailMode;
  contract: ContractValidator;
  transactions: Transactions;
  logger: Logger;
}

/**
 * The audit event of a finished request, or undefined when there is nothing to record: reads,
 * failures other than denials, and requests without a verified identity (public routes, and 401s
 * whose token named no tenant anyone could trust).
 */
export function auditEventFor(
  request: FastifyRequest & { identity?: VerifiedIdentity },
  reply: Pick<FastifyReply, 'statusCode'>,
  options: Pick<AuditTrailOptions, 'service' | 'mode' | 'contract'>,
): AuditEvent | undefined {
  const identity = request.identity;
  if (!identity) return undefined;
  const status = reply.statusCode;
  const denied = status === 401 || status === 403;
  const changed = STATE_CHANGING.has(request.method) && status >= 200 && status < 400;
  if (!denied && !(changed && options.mode === 'all')) return undefined;
  const route = request.routeOptions.url ?? request.url.split('?')[0];
  const operation = options.contract.find(request.method, toOpenApiPath(route));
  // High-volume operations (tracking events) may opt out of success records in their contract
  // with `x-sextant-audit: denials`; their denials are still recorded.
  const only = (operation?.operation as { 'x-sextant-audit'?: string } | undefined)?.['x-sextant-audit'];
  if (!denied && only === 'denials') return undefined;
  const params = Object.values((request.params ?? {}) as Record<string, unknown>).filter(
    (v): v is string => typeof v === 'string',
  );
  const forwarded = request.headers[CLIENT_ADDRESS_HEADER];
  const ip = typeof forwarded === 'string' && isIP(forwarded.trim()) ? forwarded.trim() : request.ip;
  return {
    tenantId: identity.tenantId,
    service: options.service.slice(0, 32),
    action: (operation?.operationId ?? `${request.method} ${route}`).slice(0, 100),
    outcome: denied ? 'denied' : 'success',
    actor: { type: identity.subjectType, id: identity.userId.slice(0, 255) },
    resource: { type: route.slice(0, 64), id: params.length ? params.join('/').slice(0, 255) : null },
    occurredAt: new Date().toISOString(),
    requestId: String(request.id).slice(0, 128),
    ip: ip ? ip.slice(0, 64) : null,
    details: { method: request.method, status },
  };
}

/**
 * Publishes `audit.event.recorded.v1` (through the service's outbox, under the caller's tenant)
 * for every successful state-changing request and every 401/403 of an identified caller. Runs
 * once the response is sent, so it adds no latency; a failure to record is logged.
 */
export function installAuditTrail(fastify: FastifyInstance, options: AuditTrailOptions): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const event = auditEventFor(request, reply, options);
    if (!event) return;
    const record = () =>
      options.transactions.forTenant(event.tenantId, (m) =>
        addToOutbox(m, 'audit.event.recorded.v1', {
          tenantId: event.tenantId,
          key: event.tenantId,
          payload: event,
        }),
      );
    try {
      const span = serverSpanOf(request);
      await (span ? withActiveSpan(span, record) : record());
    } catch (error) {
      options.logger.error({ err: error, action: event.action }, 'audit event not recorded');
    }
  });
}
