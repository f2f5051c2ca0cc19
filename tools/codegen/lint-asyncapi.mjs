// Validates contracts/events/v1/asyncapi.yaml with the AsyncAPI parser (schema, refs, payloads).
import { Parser, fromFile } from '@asyncapi/parser';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../contracts/events/v1/asyncapi.yaml',
);
const { document, diagnostics } = await fromFile(new Parser(), file).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of errors) console.error(`asyncapi: ${d.path.join('.')}: ${d.message}`);
if (!document || errors.length) process.exit(1);
console.log(`asyncapi: ${document.channels().length} channels valid`);
