import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('ingestion');
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { ingestionService } = await import('./service');
    await serviceMain(() => ingestionService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`ingestion failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
