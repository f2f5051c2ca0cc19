import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Dataset uploads may be `text/csv`: Fastify hands the body over as a string (parsed by the service). */
export function acceptCsvBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}
