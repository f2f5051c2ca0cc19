import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('attribution');
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { attributionService } = await import('./service');
    await serviceMain(() => attributionService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`attribution failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
