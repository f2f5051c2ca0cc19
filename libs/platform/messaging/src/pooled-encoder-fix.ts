/**
 * kafkajs 2.2.4 (its last release) encodes every produce request with a zero-filled `Buffer.alloc`
 * per encoder and per growth, several for each message: each is a new ArrayBuffer that the
 * garbage collector then tracks. Its encoder writes strictly in sequence and hands out only what it
 * wrote (`buf.slice(0, offset)`), so nothing ever reads an unwritten byte, and buffers from Node's
 * pool (`Buffer.allocUnsafe`) give the same bytes for less: a produce request encodes 1.2-1.45x
 * faster (`tools/bench/machine/kafkajs-encoding.ts`; docs/benchmarks.md, 2026-12-02).
 *
 * The encoder's constructor cannot be patched in place, so its module's export is replaced by one
 * derived from it (its methods and statics, pooled buffers) before any kafkajs module takes it:
 * each module of this library that loads kafkajs imports this one first.
 */
interface EncoderInternals {
  buf: Buffer;
  offset: number;
}

type EncoderClass = (new (initialSize?: number) => EncoderInternals) & {
  nextPowerOfTwo(value: number): number;
};

const ENCODER_MODULE = 'kafkajs/src/protocol/encoder';

/**
 * A kafkajs encoder class whose buffers, the first and every growth, come from Node's pool: the
 * class's own methods and statics otherwise (its instances are `instanceof Encoder`).
 */
export function pooledEncoder(Encoder: EncoderClass): EncoderClass {
  function PooledEncoder(this: EncoderInternals, initialSize = 511) {
    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize));
    this.offset = 0;
  }
  PooledEncoder.prototype = Object.create(Encoder.prototype, {
    constructor: { value: PooledEncoder, writable: true, configurable: true },
    ensureAvailable: {
      value(this: EncoderInternals, length: number) {
        if (this.offset + length <= this.buf.length) return;
        const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
        this.buf.copy(grown, 0, 0, this.offset);
        this.buf = grown;
      },
      writable: true,
      configurable: true,
    },
  });
  Object.setPrototypeOf(PooledEncoder, Encoder);
  return PooledEncoder as unknown as EncoderClass;
}

const loaded = require(ENCODER_MODULE) as EncoderClass;
/** kafkajs' own encoder class, as it was before this module replaced it. */
export const stockEncoder: EncoderClass = loaded.name === 'Encoder' ? loaded : Object.getPrototypeOf(loaded);
// Should kafkajs have been loaded before this, its modules keep the stock encoder.
const cached = require.cache[require.resolve(ENCODER_MODULE)];
if (cached && loaded === stockEncoder) cached.exports = pooledEncoder(stockEncoder);
