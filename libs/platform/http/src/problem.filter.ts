import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ApiProblem, PROBLEM_CONTENT_TYPE, toProblem } from './problem';

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

/** What Node's HTTP parser rejects before there is a request to route. */
const clientErrors: Record<string, ApiProblem> = {
  HPE_HEADER_OVERFLOW: new ApiProblem(
    431,
    'headers_too_large',
    `The request line and headers exceed ${maxHeaderSize} bytes.`,
  ),
  ERR_HTTP_REQUEST_TIMEOUT: new ApiProblem(408, 'request_timeout', 'The request did not arrive in time.'),
};
const malformedRequest = new ApiProblem(400, 'malformed_request', 'The request is not valid HTTP/1.1.');

/**
 * Answers a request Node's HTTP parser rejected (oversized headers, a malformed request line, a
 * client too slow to send its headers) with problem+json and `Connection: close`, then closes the
 * socket. Fastify's own answer is plain JSON without `Connection: close`, so a keep-alive client
 * could send its next request down the socket being closed and lose it ("other side closed").
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { problem } = toProblem(clientErrors[error.code ?? ''] ?? malformedRequest, { exposeStack: false });
  logger.debug({ errorId: problem.errorId, code: problem.code, parserError: error.code }, problem.detail);
  if (socket.writable) {
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nConnection: close\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
