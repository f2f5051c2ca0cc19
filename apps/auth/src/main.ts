import { startTelemetry } from '@sextant/platform/telemetry';

startTelemetry('auth');
const command = process.argv[2];
void (
  command === 'rotate-signing-key' ? import('./signing/rotate-command').then((m) => m.main()) : serve()
).catch((error: unknown) => {
  process.stderr.write(`auth failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

async function serve() {
  const { serviceMain } = await import('@sextant/platform/service');
  const { authService } = await import('./service');
  await serviceMain(() => authService());
}
