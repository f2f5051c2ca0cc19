import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('reporting');
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { reportingService } = await import('./service');
    await serviceMain(() => reportingService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`reporting failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
