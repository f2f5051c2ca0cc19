import type { ChaosReport } from './chaos';
import { KINDS } from './traffic';

const table = (header: string[], rows: (string | number)[][]) => {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
};

const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const money = (minor: number) => (minor / 100).toFixed(2);

/** The report for people: what was injected, what was sent, what each layer counted, the verdict. */
export function humanReport(report: ChaosReport): string {
  const { counted: c } = report;
  return [
    `Chaos run ${report.runId} (${report.form} form), ${report.startedAt} .. ${report.finishedAt}`,
    `Load: ${report.load.achievedRate}/s achieved (target ${report.load.targetRate}/s) for ${report.load.seconds} s${report.load.worldExhausted ? ' (the simulated store ran out)' : ''}`,
    '',
    'Faults injected',
    table(
      ['at', 'fault', 'took', 'all services ready after'],
      report.faults.map((f) => [
        `${f.at.toFixed(1)} s`,
        f.name + (f.error ? ` (error: ${f.error})` : ''),
        seconds(f.durationMs),
        f.recoveredAfterMs === null ? `NOT READY: ${f.notReady.join(', ')}` : seconds(f.recoveredAfterMs),
      ]),
    ),
    '',
    'Requests (client side; retries reuse the messageIds / Shopify event id)',
    table(
      [
        'kind',
        'items',
        '2xx items',
        'requests',
        '2xx',
        'non-2xx',
        'network errors',
        'retried items',
        'refused',
        'gave up',
        'duplicates answered',
      ],
      KINDS.map((k) => {
        const t = report.requests[k];
        const non2xx = Object.entries(t.statuses)
          .filter(([s]) => !s.startsWith('2'))
          .map(([s, n]) => `${n}x${s}`)
          .join(' ');
        return [
          k,
          t.items,
          t.acknowledged,
          t.requests,
          t.ok,
          non2xx || '0',
          t.networkErrors,
          t.retried,
          t.refused,
          t.gaveUp,
          t.duplicatesReported,
        ];
      }),
    ),
    '',
    'Counted in the databases and Kafka',
    table(
      ['layer', 'counts'],
      [
        [
          'ingestion',
          `${c.ingestion.acceptedEvents} events accepted, ${c.ingestion.webhookDeliveries} webhook deliveries, ${c.ingestion.orders} orders, ${c.ingestion.spendRows} spend rows`,
        ],
        [
          'reporting',
          `${c.reporting.events} events, ${c.reporting.touches} touches, ${c.reporting.orders} orders, revenue ${money(c.reporting.revenueMinor)} (sent ${money(c.revenueSentMinor)}), ${c.reporting.spendRows} spend rows`,
        ],
        [
          'attribution',
          `${c.attribution.eventsApplied} events applied, ${c.attribution.touchpoints} touchpoints, ${c.attribution.conversions} conversions, revenue ${money(c.attribution.revenueMinor)}`,
        ],
        [
          'dead letters',
          `${c.deadLetters.ingestionRows} rows in ingestion.dead_letters, ${Object.values(c.deadLetters.kafkaMessages).reduce((a, b) => a + b, 0)} messages in ${Object.keys(c.deadLetters.kafkaMessages).length} dead-letter topics`,
        ],
      ],
    ),
    '',
    `Checks (drained after ${seconds(report.drainedAfterMs)})`,
    table(
      ['', 'layer', 'check', 'expected', 'found'],
      report.checks.map((k) => [k.ok ? 'ok' : 'FAIL', k.layer, k.what, k.expected, k.found]),
    ),
    '',
    report.ok
      ? 'PASSED: every 2xx item counted exactly once in every layer, no dead letters, every service recovered by itself.'
      : `FAILED:\n  ${report.failures.join('\n  ')}`,
  ].join('\n');
}
