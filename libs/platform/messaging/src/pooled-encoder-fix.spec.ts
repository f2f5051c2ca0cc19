import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { stockEncoder } from './pooled-encoder-fix';

// What kafkajs' modules get once the fix ran (jest's module registry honours the replacement too),
// and the stock class it derives from.
const PooledEncoder = require('kafkajs/src/protocol/encoder');
const Encoder = stockEncoder as unknown as typeof PooledEncoder;

/** Every kind of write kafkajs makes, large enough to grow the buffer several times. */
function encodeAll(Kind: new () => { buffer: Buffer; buf: Buffer }) {
  const inner = new Kind() as unknown as Record<string, (...args: unknown[]) => unknown>;
  inner.writeString('nested');
  inner.writeVarIntBytes(Buffer.alloc(700, 7));
  const encoder = new Kind() as unknown as Record<string, (...args: unknown[]) => unknown> & {
    buffer: Buffer;
    buf: Buffer;
  };
  encoder.writeInt8(-3);
  encoder.writeInt16(-300);
  encoder.writeInt32(-70_000);
  encoder.writeUInt32(4_000_000_000);
  encoder.writeInt64('-9007199254740993');
  encoder.writeBoolean(true);
  encoder.writeString('héllo');
  encoder.writeString(null);
  encoder.writeVarIntString('päyload');
  encoder.writeBytes(Buffer.from('x'.repeat(1_500)));
  encoder.writeVarInt(-123_456);
  encoder.writeVarLong('1234567890123');
  encoder.writeArray(['a', 'bb', 'ccc']);
  encoder.writeEncoder(inner);
  encoder.writeBuffer(Buffer.alloc(9_000, 1));
  return encoder;
}

describe('kafkajs encoder on pooled buffers', () => {
  it('targets kafkajs 2.2.4 (after an upgrade, check whether its encoder still zero-fills every buffer)', () => {
    expect((require('kafkajs/package.json') as { version: string }).version).toBe('2.2.4');
  });

  it("replaces the export of kafkajs' encoder module", () => {
    expect(PooledEncoder.name).toBe('PooledEncoder');
    expect(Encoder.name).toBe('Encoder');
  });

  it('encodes exactly the bytes the stock encoder does, through every write and growth', () => {
    const stock = encodeAll(Encoder);
    const pooled = encodeAll(PooledEncoder);
    expect(pooled.buffer.length).toBeGreaterThan(9_000);
    expect(pooled.buffer.equals(stock.buffer)).toBe(true);
  });

  it("starts each encoder on a slice of Node's buffer pool instead of a new zero-filled buffer", () => {
    const pooled = new PooledEncoder() as { buf: Buffer };
    const stock = new Encoder() as { buf: Buffer };
    expect(pooled.buf.buffer.byteLength).toBe(Buffer.poolSize);
    expect(stock.buf.buffer.byteLength).toBe(stock.buf.length);
    expect(pooled).toBeInstanceOf(Encoder);
  });

  it('is what kafkajs uses in a service process (the compiled library loaded first, as services do)', () => {
    const compiled = path.resolve(__dirname, '../../../../dist/libs/platform/messaging/src/kafka.js');
    expect(existsSync(compiled) ? compiled : 'dist/ missing: run ./tools/dev test (it builds)').toBe(
      compiled,
    );
    const probe = `require(${JSON.stringify(compiled)});
      const produce = require('kafkajs/src/protocol/requests/produce/v3/request');
      produce({ acks: -1, timeout: 1000, compression: 0, topicData: [{ topic: 't', partitions: [{ partition: 0,
        messages: [{ key: 'k', value: 'v' }] }] }] }).encode().then((e) => process.stdout.write(String(e.buf.buffer.byteLength)));`;
    const slab = execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(Number(slab)).toBe(Buffer.poolSize);
  });
});
