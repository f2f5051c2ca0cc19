import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { type ContractValidator, toOpenApiPath } from './contract';
import { ApiProblem } from './problem';

/**
 * Validates every request against the service's contract before the handler runs: path and
 * query parameters (coerced to their declared types), content type and JSON body. Unknown
 * fields and unknown query parameters are rejected, each offending field named.
 *
 * A guard, registered after the access guard (so 401 and 403 come first), rather than an
 * interceptor: with any global interceptor NestJS wraps every handler call in RxJS observables, and
 * V8 then kept each request's objects through two scavenges into the old generation (a trivial
 * interceptor took a bare NestJS route's p99 at 2,000 req/s from 2.8 to 24 ms).
 */
@Injectable()
export class ContractGuard implements CanActivate {
  constructor(private readonly contract: ContractValidator) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const operation = this.contract.find(request.method, toOpenApiPath(request.routeOptions.url ?? ''));
    if (!operation) return true;
    const errors = this.contract.validateRequest(operation, {
      params: request.params as Record<string, unknown>,
      query: request.query as Record<string, unknown>,
      body: request.body,
      contentType: request.headers['content-type'],
    });
    const mediaType = errors.find((e) => e.field === '/body' && e.message.startsWith('content type'));
    if (mediaType) throw new ApiProblem(415, 'unsupported_media_type', `The body's ${mediaType.message}.`);
    if (errors.length)
      throw ApiProblem.badRequest(
        `The request does not match the contract of ${operation.operationId}.`,
        errors,
      );
    return true;
  }
}
