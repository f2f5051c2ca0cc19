import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import {
  jsonByteLength,
  MAX_BATCH_BYTES,
  validateSegmentBatch,
  validateSegmentEvent,
  type Problem,
  type SegmentEventType,
} from '@sextant/domain/ingestion';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem, Metrics } from '@sextant/platform/http';
import { Counter } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { suppressedEvents } from '../privacy/suppression';
import { SourceHealthRecorder } from '../source-health/source-health.recorder';
import { TrackingSettingsService } from '../tracking-settings/tracking-settings.service';
import { CommitQueue } from './commit-queue';
import { EventAcceptance, type Outcome, type Rejection, type Submission } from './event-acceptance';
import { prepareEvent, type TrackingPolicy } from './tracking-event';
import { withDeadlockRetry } from './transaction-retry';

type TrackingReceipt = ingestionApi.components['schemas']['TrackingReceipt'];
type BatchReceipt = ingestionApi.components['schemas']['BatchReceipt'];
type BatchItemResult = ingestionApi.components['schemas']['BatchItemResult'];

export interface Caller {
  tenantId: string;
  /** The ingest source: the verified token's subject (the ingest key once keys are exchanged for tokens). */
  sourceId: string;
}

/** One event of a request after validation and normalisation: ready to accept, or rejected. */
/** What became of an accepted-for-processing event: accepted, duplicate, or dropped as suppressed. */
type ItemOutcome = Outcome | { status: 'suppressed' };

type Checked =
  { index: number; ok: true; submission: Submission } | { index: number; ok: false; rejection: Rejection };

interface Committed {
  /** Aligned with the committed items (undefined for rejected ones). */
  outcomes: (ItemOutcome | undefined)[];
  /** The rejected items' dead letters, in order. */
  deadLetterIds: string[];
}

/** The most single-event requests of a tenant that commit in one transaction (see CommitQueue). */
const SINGLES_PER_TRANSACTION = 100;

@Injectable()
export class TrackingService {
  private readonly refused: Counter<'reason'>;
  private readonly suppressed: Counter;
  private readonly singles = new CommitQueue<Checked[], Committed>(
    (tenantId, requests) => this.commitRequests(tenantId, requests),
    SINGLES_PER_TRANSACTION,
  );

  constructor(
    private readonly transactions: Transactions,
    private readonly settings: TrackingSettingsService,
    private readonly acceptance: EventAcceptance,
    private readonly health: SourceHealthRecorder,
    metrics: Metrics,
  ) {
    this.refused = new Counter({
      name: 'ingestion_tracking_requests_refused_total',
      help: 'Tracking requests refused as a whole (envelope problems: size, shape)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    this.suppressed = new Counter({
      name: 'ingestion_events_suppressed_total',
      help: 'Tracking events dropped because their subject was erased (a suppression matched)',
      registers: [metrics.registry],
    });
  }

  /** `/v1/track`, `/v1/identify`, ...: one event; a rejected one is dead-lettered, then answered with 400. */
  async single(caller: Caller, type: SegmentEventType, body: unknown): Promise<TrackingReceipt> {
    const receivedAt = new Date();
    const policy = await this.settings.policy(caller.tenantId);
    const validated = validateSegmentEvent(body, { endpointType: type });
    const checked = validated.ok
      ? this.check(caller, 0, validated.event, '', policy, receivedAt, body, type, null)
      : reject(caller, 0, type, body, null, validated.problems, receivedAt);
    const { outcomes, deadLetterIds } = await this.singles.submit(caller.tenantId, [checked]);
    this.recordHealth(caller, [checked], outcomes);
    if (!checked.ok) {
      throw ApiProblem.badRequest(
        `The event was not accepted; it is kept as dead letter ${deadLetterIds[0]} and can be replayed once fixed.`,
        checked.rejection.problems.map((p) => ({ field: `/body${p.path}`, message: p.reason })),
      );
    }
    const outcome = outcomes[0]!;
    return {
      success: true,
      accepted: outcome.status === 'accepted' ? 1 : 0,
      duplicates: outcome.status === 'duplicate' ? 1 : 0,
      rejected: 0,
      suppressed: outcome.status === 'suppressed' ? 1 : 0,
      messageId: checked.submission.prepared.messageId,
      ...(outcome.status === 'accepted' ? { eventId: outcome.eventId } : {}),
    };
  }

  /** `/v1/batch`: every event on its own; the good are accepted, the bad dead-lettered. */
  async batch(caller: Caller, body: unknown): Promise<BatchReceipt> {
    const receivedAt = new Date();
    const bytes = jsonByteLength(body);
    if (bytes > MAX_BATCH_BYTES) {
      this.refused.inc({ reason: 'too_large' });
      throw new ApiProblem(
        413,
        'payload_too_large',
        `The batch is ${bytes} bytes; the limit is ${MAX_BATCH_BYTES} (500 KB).`,
      );
    }
    const validated = validateSegmentBatch(body, bytes);
    if (validated.problems.length > 0) {
      this.refused.inc({ reason: 'invalid_envelope' });
      throw ApiProblem.badRequest(
        'The batch envelope is not valid; no event was accepted.',
        validated.problems.map((p) => ({ field: `/body${p.path}`, message: p.reason })),
      );
    }
    const policy = await this.settings.policy(caller.tenantId);
    const envelope = envelopeOf(body as Record<string, unknown>);
    const items = (body as { batch: unknown[] }).batch;
    const checked: Checked[] = [
      ...validated.accepted.map(({ index, event }) =>
        this.check(
          caller,
          index,
          event,
          `/batch/${index}`,
          policy,
          receivedAt,
          items[index],
          'batch',
          envelope,
        ),
      ),
      ...validated.rejected.map(({ index, problems }) =>
        reject(caller, index, 'batch', items[index], envelope, problems, receivedAt),
      ),
    ].sort((a, b) => a.index - b.index);
    const { outcomes, deadLetterIds } = await this.commit(caller.tenantId, checked);
    this.recordHealth(caller, checked, outcomes);

    const results: BatchItemResult[] = [];
    let rejectedSeen = 0;
    checked.forEach((item, n) => {
      if (!item.ok) {
        results.push({
          index: item.index,
          status: 'rejected',
          deadLetterId: deadLetterIds[rejectedSeen++],
          errors: item.rejection.problems,
          ...messageIdField(item.rejection.rawEvent),
        });
      } else if (outcomes[n]?.status === 'duplicate' || outcomes[n]?.status === 'suppressed') {
        results.push({
          index: item.index,
          status: outcomes[n]!.status as 'duplicate' | 'suppressed',
          messageId: item.submission.prepared.messageId,
        });
      }
    });
    const accepted = outcomes.filter((o) => o?.status === 'accepted').length;
    return {
      success: true,
      accepted,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: rejectedSeen,
      suppressed: results.filter((r) => r.status === 'suppressed').length,
      results,
    };
  }

  private check(
    caller: Caller,
    index: number,
    event: Parameters<typeof prepareEvent>[0],
    path: string,
    policy: TrackingPolicy,
    receivedAt: Date,
    raw: unknown,
    endpoint: string,
    envelope: Record<string, unknown> | null,
  ): Checked {
    const prepared = prepareEvent(event, {
      tenantId: caller.tenantId,
      receivedAt: receivedAt.getTime(),
      policy,
      path,
      newMessageId: randomUUID,
    });
    if (!prepared.ok) return reject(caller, index, endpoint, raw, envelope, prepared.problems, receivedAt);
    return { index, ok: true, submission: { prepared: prepared.event, sourceId: caller.sourceId } };
  }

  /** Several requests' items in one transaction, each request's share of the result handed back to it. */
  private async commitRequests(tenantId: string, requests: Checked[][]): Promise<Committed[]> {
    const { outcomes, deadLetterIds } = await this.commit(tenantId, requests.flat());
    let item = 0;
    let rejected = 0;
    return requests.map((items) => {
      const rejections = items.filter((c) => !c.ok).length;
      const share = {
        outcomes: outcomes.slice(item, item + items.length),
        deadLetterIds: deadLetterIds.slice(rejected, rejected + rejections),
      };
      item += items.length;
      rejected += rejections;
      return share;
    });
  }

  /**
   * One transaction: suppressions are checked (one query), then dedup keys, outbox rows, identity
   * changes and dead letters commit together. A suppressed event leaves nothing behind, not even its
   * dedup key, so once the suppression is lifted the same event is accepted.
   */
  private async commit(tenantId: string, checked: Checked[]): Promise<Committed> {
    const submissions = checked.filter((c) => c.ok).map((c) => c.submission);
    const rejections = checked.filter((c) => !c.ok).map((c) => c.rejection);
    const result = await withDeadlockRetry(() =>
      this.transactions.forTenant(tenantId, async (manager) => {
        const dropped = await suppressedEvents(
          manager,
          tenantId,
          submissions.map((s) => s.prepared),
        );
        const accepted = await this.acceptance.accept(
          manager,
          tenantId,
          submissions.filter((_, i) => !dropped.has(i)),
        );
        const deadLetterIds = await this.acceptance.deadLetter(manager, tenantId, rejections);
        // Outcomes aligned with `checked` (undefined for rejected items).
        let submission = 0;
        let next = 0;
        const outcomes: (ItemOutcome | undefined)[] = checked.map((c) => {
          if (!c.ok) return undefined;
          return dropped.has(submission++) ? { status: 'suppressed' as const } : accepted[next++];
        });
        return { outcomes, deadLetterIds };
      }),
    );
    this.suppressed.inc(result.outcomes.filter((o) => o?.status === 'suppressed').length);
    return result;
  }

  private recordHealth(caller: Caller, checked: Checked[], outcomes: (ItemOutcome | undefined)[]): void {
    const activity = {
      tenantId: caller.tenantId,
      sourceId: caller.sourceId,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      withClickId: 0,
      withUserId: 0,
      withEither: 0,
    };
    checked.forEach((item, n) => {
      if (!item.ok) return void activity.rejected++;
      if (outcomes[n]?.status === 'suppressed') return;
      if (outcomes[n]?.status !== 'accepted') return void activity.duplicates++;
      activity.accepted++;
      const { hasClickId, userId } = item.submission.prepared;
      if (hasClickId) activity.withClickId++;
      if (userId) activity.withUserId++;
      if (hasClickId || userId) activity.withEither++;
    });
    this.health.record(activity);
  }
}

function reject(
  caller: Caller,
  index: number,
  endpoint: string,
  rawEvent: unknown,
  envelope: Record<string, unknown> | null,
  problems: Problem[],
  receivedAt: Date,
): Checked {
  return {
    index,
    ok: false,
    rejection: { sourceId: caller.sourceId, endpoint, rawEvent, envelope, problems, receivedAt },
  };
}

/** The batch fields that apply to every item (`writeKey` is not kept: the credential is the token). */
export function envelopeOf(body: Record<string, unknown>): Record<string, unknown> | null {
  const envelope: Record<string, unknown> = {};
  for (const field of ['context', 'integrations', 'sentAt'] as const)
    if (body[field] !== undefined) envelope[field] = body[field];
  return Object.keys(envelope).length > 0 ? envelope : null;
}

function messageIdField(raw: unknown): { messageId?: string } {
  const id = (raw as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? { messageId: id } : {};
}
