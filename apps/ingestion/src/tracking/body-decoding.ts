import type { FastifyInstance } from 'fastify';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/**
 * Lets tracking requests arrive compressed (`Content-Encoding: gzip` or `deflate`, as Segment
 * libraries may send them). The body is inflated while it is read, so Fastify's body limit applies
 * to the inflated bytes: a zip bomb stops at the limit with 413 instead of filling memory. Any
 * other encoding is refused with 415.
 */
export function acceptCompressedBodies(fastify: FastifyInstance, pathPrefix: string): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity' || !request.url.startsWith(pathPrefix)) return payload;
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      throw Object.assign(
        new Error(`Content-Encoding '${encoding}' is not supported; send gzip, deflate or none.`),
        {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        },
      );
    }
    const counter = new ByteCounter();
    const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
    // Fastify compares Content-Length with the bytes received on the wire, not the inflated ones.
    const inflated = payload.pipe(counter).pipe(inflate) as typeof inflate & {
      receivedEncodedLength: number;
    };
    Object.defineProperty(inflated, 'receivedEncodedLength', { get: () => counter.bytes });
    payload.on('error', (error) => inflated.destroy(error));
    inflate.on('error', (error) => {
      Object.assign(error, {
        statusCode: 400,
        message: `The body is not valid ${encoding} data: ${error.message}`,
      });
    });
    return inflated;
  });
}

class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
