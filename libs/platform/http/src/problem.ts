import { HttpException, HttpStatus } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** RFC 9457 problem details, as every Sextant error body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errorId: string;
  requestId?: string;
  code?: string;
  errors?: FieldError[];
  stack?: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An error the API edge turns into a problem with this status and code. Domain code throws its
 * own errors; each service maps them to this once (never a bare 500 for a known failure).
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }

  static badRequest(message: string, errors?: FieldError[]) {
    return new ApiProblem(400, 'bad_request', message, errors);
  }
  static notFound(message: string) {
    return new ApiProblem(404, 'not_found', message);
  }
  static conflict(message: string) {
    return new ApiProblem(409, 'conflict', message);
  }
}

/** Fastify's own errors (body parsing, limits, content type) and what they mean to a client. */
const fastifyErrors: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    detail: 'The body is empty but the content type is application/json.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json' },
  FST_ERR_BAD_URL: { status: 400, code: 'malformed_url' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request' },
};

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemContext {
  path?: string;
  requestId?: string;
  exposeStack: boolean;
}

/** Maps any thrown value to a problem; unknown errors become a 500 that says nothing internal. */
export function toProblem(
  error: unknown,
  ctx: ProblemContext,
): { problem: Problem; headers: Record<string, string> } {
  const errorId = randomUUID();
  let status = 500;
  let code = 'internal_error';
  let detail: string | undefined = 'An unexpected error occurred. Quote the errorId when reporting it.';
  let errors: FieldError[] | undefined;
  let headers: Record<string, string> = {};

  if (error instanceof ApiProblem) {
    ({ status, code, errors } = error);
    detail = error.message;
    headers = error.headers ?? {};
  } else if (error instanceof HttpException) {
    status = error.getStatus();
    code = HttpStatus[status]?.toLowerCase() ?? 'http_error';
    const response = error.getResponse();
    detail =
      typeof response === 'string'
        ? response
        : ((response as { message?: string | string[] }).message?.toString() ?? error.message);
  } else if (hasHttpStatus(error)) {
    const known = error.code ? fastifyErrors[error.code] : undefined;
    if (known) {
      status = known.status;
      code = known.code;
      detail = known.detail ?? error.message;
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      code = (titles[status] ?? 'client error').toLowerCase().replace(/ /g, '_');
      detail = error.message;
    }
  } else if (error instanceof SyntaxError && 'body' in (error as object)) {
    status = 400;
    code = 'malformed_json';
    detail = error.message;
  } else if (isTransientDatabaseError(error)) {
    status = 503;
    code = 'database_unavailable';
    detail =
      'The database is overloaded or restarting; nothing was changed. Retry after the indicated delay.';
    headers = { 'retry-after': '1' };
  }

  const problem: Problem = {
    type: status >= 500 ? 'about:blank' : `https://sextant.dev/problems/${code.replace(/_/g, '-')}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: ctx.path,
    errorId,
    requestId: ctx.requestId,
    code,
  };
  if (errors?.length) problem.errors = errors;
  if (ctx.exposeStack && status >= 500 && error instanceof Error && error.stack) problem.stack = error.stack;
  return { problem, headers };
}

/** Errors from Fastify and its plugins carry the HTTP status they mean (and often a code). */
function hasHttpStatus(error: unknown): error is { code?: string; statusCode?: number; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number'
  );
}

/**
 * PostgreSQL errors a retry can cure: no free pool connection in time, connection lost or refused,
 * too many connections, server shutting down or starting, serialization failure, deadlock. Their
 * transaction rolled back, so answering 503 with Retry-After is true; a 500 would blame the request.
 */
const TRANSIENT_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03', '40001', '40P01']);
const TRANSIENT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connect ECONNREFUSED',
  'Client has encountered a connection error',
];

export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const driverError = (error as { driverError?: unknown }).driverError;
  const candidates = [error, driverError instanceof Error ? driverError : undefined];
  return candidates.some((e) => {
    if (!e) return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    return TRANSIENT_MESSAGES.some((m) => e.message.includes(m));
  });
}
