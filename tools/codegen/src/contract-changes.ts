import { gatewayOpenApiDocument } from '@sextant/contracts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { breakingChanges, type Document, operationChanges, parseApprovedChanges } from './breaking-changes';

/** The repository root, from the sources (jest) or from the compiled dist/. */
export const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) dir = path.dirname(dir);
  return dir;
})();
export const RELEASED = path.join(ROOT, 'contracts/gateway/v1/released.json');
export const APPROVED = path.join(ROOT, 'contracts/gateway/v1/approved-breaking-changes.txt');
export const CHANGELOG = path.join(ROOT, 'contracts/CHANGELOG.md');

export const releasedDocument = () => JSON.parse(readFileSync(RELEASED, 'utf8')) as Document;
export const approvedChanges = () => parseApprovedChanges(readFileSync(APPROVED, 'utf8'));
export const currentDocument = () => gatewayOpenApiDocument as unknown as Document;

/** The changes of the merged contract since the released snapshot, as a changelog section. */
export function changelogSection(title: string): string {
  const before = releasedDocument();
  const after = currentDocument();
  const { added, removed } = operationChanges(before, after);
  const approved = approvedChanges();
  const breaking = breakingChanges(before, after);
  const list = (items: string[]) => (items.length ? items.map((i) => `- \`${i}\``).join('\n') : '- none');
  return [
    `## ${title}`,
    '',
    '### Operations added',
    list(added),
    '',
    '### Operations removed',
    list(removed),
    '',
    '### Breaking changes (each approved in contracts/gateway/v1/approved-breaking-changes.txt)',
    list(breaking.map((b) => (approved.has(b) ? b : `${b} (NOT APPROVED)`))),
    '',
  ].join('\n');
}

/**
 * `node dist/tools/codegen/src/contract-changes.js`: prints what changed since the released contract.
 * `... --release <version>`: adds that section to contracts/CHANGELOG.md and makes the current
 * merged contract the released snapshot (refused while a breaking change is not approved).
 */
function main(argv: string[]) {
  const releaseAt = argv.indexOf('--release');
  if (releaseAt === -1) {
    process.stdout.write(`${changelogSection('Unreleased')}\n`);
    return;
  }
  const version = argv[releaseAt + 1];
  if (!version) throw new Error('--release needs a version, e.g. --release 1.1.0');
  const approved = approvedChanges();
  const unapproved = breakingChanges(releasedDocument(), currentDocument()).filter((c) => !approved.has(c));
  if (unapproved.length) throw new Error(`unapproved breaking changes:\n${unapproved.join('\n')}`);
  const section = changelogSection(`${version} (${new Date().toISOString().slice(0, 10)})`);
  const changelog = readFileSync(CHANGELOG, 'utf8');
  const marker = '<!-- releases -->';
  writeFileSync(CHANGELOG, changelog.replace(marker, `${marker}\n\n${section}`));
  writeFileSync(RELEASED, `${JSON.stringify(currentDocument(), null, 2)}\n`);
  process.stdout.write(`released ${version}: ${RELEASED} and ${CHANGELOG} updated\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
