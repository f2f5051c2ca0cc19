import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import {
  validateSegmentBatch,
  validateSegmentEvent,
  type Problem,
  type SegmentEventType,
} from '@sextant/domain/ingestion';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { TrackingSettingsService } from '../tracking-settings/tracking-settings.service';
import { EventAcceptance, type Submission } from '../tracking/event-acceptance';
import { prepareEvent, type PreparedEvent, type TrackingPolicy } from '../tracking/tracking-event';
import { withDeadlockRetry } from '../tracking/transaction-retry';
import { DeadLetter } from './dead-letter.entity';

type DeadLetterView = ingestionApi.components['schemas']['DeadLetter'];
type DeadLetterPage = ingestionApi.components['schemas']['DeadLetterPage'];
type ReplayOutcome = ingestionApi.components['schemas']['ReplayOutcome'];
type BulkReplayResult = ingestionApi.components['schemas']['BulkReplayResult'];

@Injectable()
export class DeadLettersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly settings: TrackingSettingsService,
    private readonly acceptance: EventAcceptance,
  ) {}

  async list(
    tenantId: string,
    query: { status?: 'pending' | 'replayed'; limit?: number; cursor?: string },
  ): Promise<DeadLetterPage> {
    const limit = query.limit ?? 50;
    const rows = await this.transactions.forTenant(tenantId, (m) => {
      const builder = m
        .getRepository(DeadLetter)
        .createQueryBuilder('d')
        .orderBy('d.position', 'DESC')
        .take(limit + 1);
      if (query.status) builder.andWhere('d.status = :status', { status: query.status });
      if (query.cursor) builder.andWhere('d.position < :cursor', { cursor: query.cursor });
      return builder.getMany();
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(view),
      nextCursor: rows.length > limit ? page[page.length - 1].position : null,
    };
  }

  async get(tenantId: string, deadLetterId: string): Promise<DeadLetterView> {
    const row = await this.transactions.forTenant(tenantId, (m) => m.findOneBy(DeadLetter, { deadLetterId }));
    if (!row) throw ApiProblem.notFound(`No dead letter ${deadLetterId}.`);
    return view(row);
  }

  async replayOne(tenantId: string, deadLetterId: string): Promise<ReplayOutcome> {
    const result = await this.replay(tenantId, (m) => m.findBy(DeadLetter, { deadLetterId }));
    if (result.outcomes.length === 0) throw ApiProblem.notFound(`No dead letter ${deadLetterId}.`);
    return result.outcomes[0];
  }

  replayMany(
    tenantId: string,
    request: { deadLetterIds?: string[]; limit?: number },
  ): Promise<BulkReplayResult> {
    return this.replay(tenantId, (m) => {
      const builder = m.getRepository(DeadLetter).createQueryBuilder('d').orderBy('d.position', 'ASC');
      if (request.deadLetterIds)
        builder.where('d.dead_letter_id = any(:ids)', { ids: request.deadLetterIds });
      else builder.where(`d.status = 'pending'`).take(request.limit ?? 100);
      return builder.getMany();
    });
  }

  /**
   * Validates each dead letter again under the tenant's current settings, at its original receive
   * time; those that pass are accepted (deduplicated like any event) in the same transaction that
   * marks them replayed.
   */
  private replay(
    tenantId: string,
    select: (m: EntityManager) => Promise<DeadLetter[]>,
  ): Promise<BulkReplayResult> {
    return withDeadlockRetry(() =>
      this.transactions.forTenant(tenantId, async (manager) => {
        const found = await select(manager);
        if (found.length > 0)
          await manager.query(`select 1 from dead_letters where position = any($1::bigint[]) for update`, [
            found.map((d) => d.position),
          ]);
        const policy = await this.settings.policy(tenantId, manager, true);
        const outcomes: ReplayOutcome[] = [];
        const ready: { letter: DeadLetter; submission: Submission }[] = [];
        for (const letter of found) {
          if (letter.status === 'replayed') {
            outcomes.push({ deadLetterId: letter.deadLetterId, outcome: 'already-replayed' });
            continue;
          }
          const checked = recheck(letter, tenantId, policy);
          if (checked.ok) {
            ready.push({ letter, submission: { prepared: checked.event, sourceId: letter.sourceId } });
            continue;
          }
          await manager.update(
            DeadLetter,
            { position: letter.position },
            { errors: checked.problems, replayAttempts: letter.replayAttempts + 1 },
          );
          outcomes.push({ deadLetterId: letter.deadLetterId, outcome: 'rejected', errors: checked.problems });
        }
        const accepted = await this.acceptance.accept(
          manager,
          tenantId,
          ready.map((r) => r.submission),
        );
        const now = new Date();
        for (const [i, { letter }] of ready.entries()) {
          const outcome = accepted[i];
          await manager.update(
            DeadLetter,
            { position: letter.position },
            {
              status: 'replayed',
              replayedAt: now,
              replayAttempts: letter.replayAttempts + 1,
              eventId: outcome.status === 'accepted' ? outcome.eventId : null,
            },
          );
          outcomes.push(
            outcome.status === 'accepted'
              ? { deadLetterId: letter.deadLetterId, outcome: 'accepted', eventId: outcome.eventId }
              : { deadLetterId: letter.deadLetterId, outcome: 'duplicate' },
          );
        }
        const count = (o: ReplayOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
        return {
          accepted: count('accepted'),
          duplicates: count('duplicate'),
          rejected: count('rejected'),
          outcomes,
        };
      }),
    );
  }
}

/** The dead letter's event validated and prepared again, as on arrival (batch envelope applied). */
function recheck(
  letter: DeadLetter,
  tenantId: string,
  policy: TrackingPolicy,
): { ok: true; event: PreparedEvent } | { ok: false; problems: Problem[] } {
  let event;
  let path = '';
  if (letter.endpoint === 'batch') {
    const validated = validateSegmentBatch({ ...(letter.envelope ?? {}), batch: [letter.rawEvent] });
    if (validated.problems.length > 0) return { ok: false, problems: validated.problems };
    if (validated.rejected.length > 0) return { ok: false, problems: validated.rejected[0].problems };
    event = validated.accepted[0].event;
    path = '/batch/0';
  } else {
    const validated = validateSegmentEvent(letter.rawEvent, {
      endpointType: letter.endpoint as SegmentEventType,
    });
    if (!validated.ok) return validated;
    event = validated.event;
  }
  return prepareEvent(event, {
    tenantId,
    receivedAt: letter.receivedAt.getTime(),
    policy,
    path,
    newMessageId: randomUUID,
  });
}

function view(row: DeadLetter): DeadLetterView {
  return {
    deadLetterId: row.deadLetterId,
    status: row.status,
    endpoint: row.endpoint as DeadLetterView['endpoint'],
    sourceId: row.sourceId,
    messageId: row.messageId,
    errors: row.errors,
    rawEvent: row.rawEvent,
    receivedAt: row.receivedAt.toISOString(),
    replayAttempts: row.replayAttempts,
    replayedAt: row.replayedAt?.toISOString() ?? null,
    eventId: row.eventId,
  };
}
