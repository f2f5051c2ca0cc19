import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('gateway');
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { gatewayService } = await import('./service');
    await serviceMain(() => gatewayService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`gateway failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
