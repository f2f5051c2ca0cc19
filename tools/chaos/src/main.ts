/**
 * `node dist/tools/chaos/src/main.js [--long] [--rate N] [--json FILE]`: faults under load (issue
 * 12). Starts a private PostgreSQL and Kafka and the six services, drives the simulated store at a
 * steady rate, kills and restarts the broker, PostgreSQL and each service (kill -9, then SIGTERM),
 * then counts every layer against what got a 2xx. Prints the human report on stderr, the JSON on
 * stdout (or into FILE); exits 1 when anything acknowledged is missing or duplicated, a dead
 * letter exists, or a service did not recover by itself.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runChaos, stopServices } from './chaos';
import { disposeAllSync } from './infrastructure';
import { humanReport } from './report';

// Interrupted: stop the services, and the private PostgreSQL and Kafka (they run detached).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void stopServices().finally(() => {
      disposeAllSync();
      process.exit(130);
    });
  });

async function main() {
  const { values } = parseArgs({
    options: {
      long: { type: 'boolean', default: false },
      rate: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0 && rate <= 5_000)) throw new Error('--rate must be in (0, 5000]');
  const report = await runChaos({
    long: values.long!,
    rate,
    log: (line) => process.stderr.write(`[chaos] ${line}\n`),
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (values.json) writeFileSync(values.json, json);
  else process.stdout.write(json);
  process.stderr.write(`\n${humanReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos failed: ${(error as Error).stack ?? error}\n`);
  process.exit(2);
});
