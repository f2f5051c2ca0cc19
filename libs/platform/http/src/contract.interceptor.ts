import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { type ContractValidator, toOpenApiPath } from './contract';
import { ApiProblem } from './problem';

/**
 * Validates every request against the service's contract before the handler runs: path and
 * query parameters (coerced to their declared types), content type and JSON body. Unknown
 * fields and unknown query parameters are rejected, each offending field named.
 */
@Injectable()
export class ContractInterceptor implements NestInterceptor {
  constructor(private readonly contract: ContractValidator) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const operation = this.contract.find(request.method, toOpenApiPath(request.routeOptions.url ?? ''));
    if (operation) {
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
    }
    return next.handle();
  }
}
