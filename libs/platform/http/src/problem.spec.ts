import { BadRequestException } from '@nestjs/common';
import { ApiProblem, toProblem } from './problem';

const ctx = { path: '/x', requestId: 'r1', exposeStack: false };

describe('toProblem', () => {
  it('keeps an ApiProblem status, code, field errors and headers', () => {
    const { problem, headers } = toProblem(
      new ApiProblem(429, 'rate_limited', 'slow down', undefined, { 'retry-after': '3' }),
      ctx,
    );
    expect(problem).toMatchObject({
      status: 429,
      code: 'rate_limited',
      detail: 'slow down',
      title: 'Too Many Requests',
      instance: '/x',
      requestId: 'r1',
    });
    expect(problem.type).toBe('https://sextant.dev/problems/rate-limited');
    expect(headers).toEqual({ 'retry-after': '3' });
    const withFields = toProblem(
      ApiProblem.badRequest('bad', [{ field: '/body/a', message: 'is required' }]),
      ctx,
    ).problem;
    expect(withFields.errors).toEqual([{ field: '/body/a', message: 'is required' }]);
  });

  it('maps Fastify body errors to the client error they are', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    const mediaType = Object.assign(new Error('Unsupported Media Type'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(toProblem(tooLarge, ctx).problem).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(toProblem(mediaType, ctx).problem).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('keeps the client-error status of any error that carries one (plugins without a code)', () => {
    const invalidUrl = Object.assign(new Error('source/request contain invalid characters'), {
      statusCode: 400,
    });
    expect(toProblem(invalidUrl, ctx).problem).toMatchObject({
      status: 400,
      code: 'bad_request',
      detail: 'source/request contain invalid characters',
    });
    const tooManyHeaders = Object.assign(new Error('headers'), { statusCode: 431 });
    expect(toProblem(tooManyHeaders, ctx).problem.status).toBe(431);
    expect(toProblem(Object.assign(new Error('x'), { statusCode: 503 }), ctx).problem.status).toBe(500);
  });

  it('maps NestJS HTTP exceptions', () => {
    expect(toProblem(new BadRequestException('nope'), ctx).problem).toMatchObject({
      status: 400,
      detail: 'nope',
    });
  });

  it('hides the internals of an unexpected error behind an error id', () => {
    const { problem } = toProblem(new Error('password=hunter2 in connection string'), ctx);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('hunter2');
    expect(problem.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(problem.stack).toBeUndefined();
    expect(toProblem(new Error('boom'), { ...ctx, exposeStack: true }).problem.stack).toContain('boom');
  });

  it('gives every occurrence its own error id', () => {
    expect(toProblem(new Error('a'), ctx).problem.errorId).not.toBe(
      toProblem(new Error('a'), ctx).problem.errorId,
    );
  });
});
