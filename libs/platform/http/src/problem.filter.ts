import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Sends any error as application/problem+json; 5xx are logged with their errorId. */
export function sendProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
  exposeStack: boolean,
) {
  const { problem, headers } = toProblem(error, {
    path: request.url.split('?')[0],
    requestId: String(request.id),
    exposeStack,
  });
  if (problem.status >= 500)
    logger.error({ err: error, errorId: problem.errorId, reqId: request.id }, 'request failed');
  else
    logger.debug(
      { errorId: problem.errorId, code: problem.code, reqId: request.id },
      problem.detail ?? problem.title,
    );
  void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly exposeStack: boolean,
  ) {}

  catch(error: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    sendProblem(
      error,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
      this.exposeStack,
    );
  }
}
