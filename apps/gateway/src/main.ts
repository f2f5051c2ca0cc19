import { startTelemetry } from '@sextant/platform/telemetry';

// Server spans are the gateway's own (edge/edge-tracing.ts), not the HTTP instrumentation's.
startTelemetry('gateway', process.env, { traceIncomingHttp: false });
void import('@sextant/platform/service')
  .then(async ({ serviceMain }) => {
    const { gatewayService } = await import('./service');
    await serviceMain(() => gatewayService());
  })
  .catch((error: unknown) => {
    process.stderr.write(`gateway failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
