/**
 * Faults under load, short form (issue 12 item 3): the simulated store at a steady rate while the
 * Kafka broker is killed for 10 s, PostgreSQL restarts and each service is killed (-9) and then
 * stopped gracefully, each once and restarted; afterwards every event, webhook and spend row that
 * got a 2xx is counted exactly once in ingestion, reporting and attribution, no dead letter exists
 * and every service came back by itself. The run has its own PostgreSQL cluster and Kafka broker
 * (tools/chaos/src/infrastructure.ts), so it disturbs no other test. The long form is the CLI:
 * `node dist/tools/chaos/src/main.js --long`.
 */
import { runChaos } from './chaos';
import { humanReport } from './report';

jest.setTimeout(900_000);

describe('faults under load (short form)', () => {
  it('counts every acknowledged item exactly once in every layer, with no dead letters, and every service recovers by itself', async () => {
    const report = await runChaos({
      long: false,
      log: (line) => process.stdout.write(`[chaos] ${line}\n`),
    });
    process.stdout.write(`${humanReport(report)}\n`);
    expect(report.failures).toEqual([]);
    // The faults were felt: clients saw failed requests and retried, and load got through anyway.
    const requests = Object.values(report.requests);
    expect(requests.reduce((n, t) => n + t.retried, 0)).toBeGreaterThan(0);
    expect(report.requests.events.acknowledged).toBeGreaterThan(0);
    expect(report.requests.orders.acknowledged).toBeGreaterThan(0);
    expect(report.faults).toHaveLength(14);
  });
});
