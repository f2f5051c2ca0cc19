import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('auth');
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { authService } = await import('./service');
    await serviceMain(() => authService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`auth failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
