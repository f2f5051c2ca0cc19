import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('forecasting');
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { forecastingService } = await import('./service');
    await serviceMain(() => forecastingService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`forecasting failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
