import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

/**
 * The header the gateway sets to the caller's address. The gateway drops every `x-sextant-*`
 * header a client sends, and only the gateway reaches this service, so the value can be trusted.
 */
export const CLIENT_ADDRESS_HEADER = 'x-sextant-client-ip';

export function clientAddressOf(request: Pick<FastifyRequest, 'headers' | 'ip'>): string {
  const forwarded = request.headers[CLIENT_ADDRESS_HEADER];
  return typeof forwarded === 'string' && isIP(forwarded.trim()) ? forwarded.trim() : request.ip;
}

/** The caller's address, for throttling and the audit log. */
export const ClientAddress = createParamDecorator((_: unknown, context: ExecutionContext) =>
  clientAddressOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
