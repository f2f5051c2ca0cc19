// kafkajs' produce-request encoding, as the outbox relay sends (v3 request, record batches of
// tracking-sized messages with Sextant's headers), with kafkajs' stock encoder and with the pooled
// one the platform installs (libs/platform/messaging/src/pooled-encoder-fix.ts), in turn in one
// process. Medians of --runs, each encoding --requests requests of --messages messages.
//   node dist/tools/bench/machine/kafkajs-encoding.js [--runs 7] [--requests 200] [--messages 300]
import { pooledEncoder, stockEncoder } from '@sextant/platform/messaging';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { median } from '../stats';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    requests: { type: 'string', default: '200' },
    messages: { type: 'string', default: '300' },
  },
});

const ENCODER_MODULE = 'kafkajs/src/protocol/encoder';
const REQUEST_MODULES = [
  'kafkajs/src/protocol/requests/produce/v3/request',
  'kafkajs/src/protocol/recordBatch/v0/index',
  'kafkajs/src/protocol/recordBatch/record/v0/index',
  'kafkajs/src/protocol/recordBatch/header/v0/index',
  'kafkajs/src/protocol/request',
];

type Encode = (messageCount: number) => Promise<unknown>;

/** kafkajs' produce request modules loaded afresh with `Encoder` as their encoder class. */
function produceRequestWith(Encoder: unknown): Encode {
  for (const name of [ENCODER_MODULE, ...REQUEST_MODULES]) delete require.cache[require.resolve(name)];
  require(ENCODER_MODULE);
  require.cache[require.resolve(ENCODER_MODULE)]!.exports = Encoder;
  const produce = require(REQUEST_MODULES[0]) as (request: object) => { encode(): Promise<unknown> };
  const value = JSON.stringify({
    event: 'Product Viewed',
    properties: { sku: 'SKU-1' },
    pad: 'x'.repeat(1_100),
  });
  return (count) =>
    produce({
      acks: -1,
      timeout: 30_000,
      compression: 0,
      topicData: [
        {
          topic: 'ingestion.event.accepted.v1',
          partitions: [0, 1, 2].map((partition) => ({
            partition,
            messages: Array.from({ length: count / 3 }, () => ({
              key: randomUUID(),
              value,
              headers: {
                'event-id': randomUUID(),
                'tenant-id': randomUUID(),
                schema: 'x',
                'produced-at': 'y',
              },
            })),
          })),
        },
      ],
    }).encode();
}

async function microsecondsPerMessage(encode: Encode, requests: number, messages: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < requests; i++) await encode(messages);
  return ((performance.now() - started) * 1000) / (requests * messages);
}

async function main() {
  const runs = Number(values.runs);
  const requests = Number(values.requests);
  const messages = Number(values.messages);
  const variants: [string, Encode][] = [
    ['kafkajs stock encoder', produceRequestWith(stockEncoder)],
    ['pooled encoder', produceRequestWith(pooledEncoder(stockEncoder))],
  ];
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (const [, encode] of variants) await microsecondsPerMessage(encode, 20, messages); // warm-up
  for (let run = 0; run < runs; run++)
    for (const [name, encode] of variants)
      samples.get(name)!.push(await microsecondsPerMessage(encode, requests, messages));
  const stock = median(samples.get('kafkajs stock encoder')!);
  console.table(
    [...samples].map(([name, xs]) => ({
      encoder: name,
      'µs per message (median)': +median(xs).toFixed(2),
      runs: xs.map((x) => x.toFixed(1)).join(' / '),
      'stock / this': +(stock / median(xs)).toFixed(2),
    })),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
