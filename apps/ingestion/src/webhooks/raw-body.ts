import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';

/** Route config (`@RouteConfig(RAW_BODY)`) of routes that get the body's bytes unparsed, as a Buffer. */
export const RAW_BODY = { rawBody: true } as const;

const wantsRawBody = (request: FastifyRequest) =>
  (request.routeOptions.config as { rawBody?: boolean } | undefined)?.rawBody === true;

/**
 * The ingestion service's body parsers, in place of Nest's defaults: JSON and form bodies are
 * parsed as Nest does, except on routes marked `RAW_BODY` (webhooks, whose signatures cover the
 * exact bytes), which receive the Buffer; `text/csv` arrives as text (spend import).
 */
export function installBodyParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { bodyLimit } = fastify.initialConfig;
  const json = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) =>
    wantsRawBody(request) ? done(null, body) : json(request, body.toString('utf8'), done),
  );
  app.useBodyParser<RawServerDefault>(
    'application/x-www-form-urlencoded',
    { bodyLimit },
    (request, body, done) =>
      done(null, wantsRawBody(request) ? body : { ...parseQueryString(body.toString('utf8')) }),
  );
  app.useBodyParser<RawServerDefault>('text/csv', { bodyLimit }, (_request, body, done) =>
    done(null, body.toString('utf8')),
  );
}
