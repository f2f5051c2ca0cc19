import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('reporting');
const command = process.argv[2];
void (async () => {
  if (command === 'rebuild') {
    const { rebuildCommand } = await import('./marts/rebuild-command');
    await rebuildCommand();
    process.exit(0);
  }
  const { serviceMain } = await import('@sextant/platform/service');
  const { reportingService } = await import('./service');
  await serviceMain(() => reportingService());
})().catch((error: unknown) => {
  process.stderr.write(`reporting failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
