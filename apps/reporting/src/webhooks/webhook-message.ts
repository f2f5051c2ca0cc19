import type { reportingApi } from '@sextant/contracts';
import { createHmac } from 'node:crypto';

type Signal = reportingApi.components['schemas']['Signal'];

const SEVERITY_RANK = { low: 1, medium: 2, high: 3 } as const;
export type Severity = keyof typeof SEVERITY_RANK;
export const SEVERITIES = Object.keys(SEVERITY_RANK) as Severity[];

export const meetsSeverity = (severity: Severity, minimum: Severity) =>
  SEVERITY_RANK[severity] >= SEVERITY_RANK[minimum];

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/**
 * The body POSTed for a signal: Slack-compatible (`text` as fallback, `blocks` for layout; a
 * Slack incoming-webhook URL ignores the rest) plus a `sextant` object with the figures for
 * programs. Built once when the delivery is queued, so every retry sends the same bytes.
 */
export function webhookBody(deliveryId: string, tenantId: string, signal: Signal): string {
  const headline = `${signal.severity.toUpperCase()} signal: ${signal.narrative}`;
  return JSON.stringify({
    text: headline,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${signal.severity.toUpperCase()} signal*\n${signal.narrative}` },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `\`${signal.metric}\` · \`${signal.dimension}\` · ${signal.day} · expected ${fmt(signal.expected)} · observed ${fmt(signal.observed)}`,
          },
        ],
      },
    ],
    sextant: {
      deliveryId,
      tenantId,
      signalId: signal.signalId,
      metric: signal.metric,
      dimension: signal.dimension,
      day: signal.day,
      severity: signal.severity,
      expected: signal.expected,
      observed: signal.observed,
      score: signal.score,
      narrative: signal.narrative,
      raisedAt: signal.createdAt,
    },
  });
}

/** `x-sextant-signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (as Stripe's). */
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Delay before attempt `attempts + 1`: base x 2^(attempts - 1), +-20% jitter. */
export function retryDelayMs(attempts: number, baseMs: number, random = Math.random): number {
  return Math.round(baseMs * 2 ** (attempts - 1) * (0.8 + 0.4 * random()));
}

/** Answers a retry cannot change fail the delivery at once: 4xx other than 408 and 429. */
export const isFinalFailure = (status: number) =>
  status >= 400 && status < 500 && status !== 408 && status !== 429;
