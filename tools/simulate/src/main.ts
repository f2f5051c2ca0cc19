/**
 * `node dist/tools/simulate/src/main.js [--gateway URL] [--days N] [--seed N] [--scale X]
 *   [--email E] [--password P] [--tenant NAME] [--no-analyses]`: simulates a store and sends it to
 * a running Sextant through the gateway (what `./tools/dev up` does for its demo tenant), then
 * starts a Markov attribution run, a forecast of every SKU and (from 28 whole weeks on) a
 * marketing-mix fit. Prints the demo account, the runs and the world's ground truth as JSON on
 * stdout, progress on stderr.
 */
import { parseArgs } from 'node:util';
import { call, loadWorld, simulateWorld, startDemoRuns, waitForPipeline } from '@sextant/testing';

async function main() {
  const { values } = parseArgs({
    allowNegative: true,
    options: {
      analyses: { type: 'boolean', default: true },
      gateway: { type: 'string', default: 'http://127.0.0.1:3000' },
      days: { type: 'string', default: '90' },
      seed: { type: 'string', default: '1' },
      scale: { type: 'string', default: '0.25' },
      email: { type: 'string', default: 'demo@sextant.local' },
      password: { type: 'string', default: 'sextant demo password' },
      tenant: { type: 'string', default: 'Demo Store' },
    },
  });
  const days = Number(values.days);
  const seed = Number(values.seed);
  const scale = Number(values.scale);
  if (!Number.isInteger(days) || days < 1 || days > 1000)
    throw new Error('--days must be an integer in 1..1000');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  if (!(scale > 0 && scale <= 100)) throw new Error('--scale must be in (0, 100]');
  const world = simulateWorld({ seed, days, scale });
  const started = Date.now();
  const loaded = await loadWorld(world, {
    gatewayUrl: values.gateway!,
    account: { tenantName: values.tenant!, email: values.email!, password: values.password! },
    onProgress: (done) =>
      process.stderr.write(`\r[simulate] ${(done * 100).toFixed(0)}% of ${days} days sent`),
  });
  process.stderr.write(`\n[simulate] done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  let runs;
  if (values.analyses) {
    process.stderr.write('[simulate] waiting for reporting and attribution to catch up\n');
    const token = await login(values.gateway!, values.email!, values.password!);
    await waitForPipeline(values.gateway!, token, world);
    runs = await startDemoRuns(values.gateway!, token, world);
  }
  if (runs)
    process.stderr.write(
      `[simulate] started attribution run ${runs.attributionRunId}, forecast run ${runs.forecastRunId}, ${
        runs.mmmFitId ? `marketing-mix fit ${runs.mmmFitId}` : `no marketing-mix fit (${runs.mmmSkipped})`
      }\n`,
    );
  process.stdout.write(
    `${JSON.stringify(
      {
        account: { email: values.email, password: values.password, tenantId: loaded.tenantId },
        ingestKey: loaded.ingestKey,
        webhookSourceId: loaded.webhookSourceId,
        sent: loaded.sent,
        runs,
        truth: world.truth,
      },
      null,
      2,
    )}\n`,
  );
}

async function login(gateway: string, email: string, password: string): Promise<string> {
  const session = await call<{ accessToken: string }>(gateway, 'POST', '/api/v1/auth/login', {
    body: { email, password },
  });
  return session.accessToken;
}

main().catch((error: unknown) => {
  process.stderr.write(`\nsimulate failed: ${(error as Error).message}\n`);
  process.exit(1);
});
