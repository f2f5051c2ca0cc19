import { Injectable } from '@nestjs/common';
import { type ingestionApi, TOPIC_CATALOGUE } from '@sextant/contracts';
import type { VerifiedIdentity } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { addToOutbox } from '@sextant/platform/messaging';
import { hashCustomerEmail } from '@sextant/domain/ingestion';
import { createHash, randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { findProfile } from '../identity/profile-lookup';
import { type IdentifierKind, Profile, ProfileIdentifier } from '../identity/profile.entity';
import { CommerceOrder } from '../orders/order.entity';
import { TrackedMessage } from '../tracking/tracked-message.entity';
import { PrivacyRequest, PrivacyRequestService, SuppressedIdentifier } from './privacy.entities';

type SubjectRequestCreate = ingestionApi.components['schemas']['SubjectRequestCreate'];
type SubjectRequestView = ingestionApi.components['schemas']['SubjectRequest'];
type SuppressionView = ingestionApi.components['schemas']['Suppression'];
export type Identifier = { kind: IdentifierKind; value: string };

/** The services that erase a subject's data (the consumers of deletion requests). */
export const ERASING_SERVICES: string[] = [
  ...(TOPIC_CATALOGUE.find((t) => t.topic === 'privacy.subject.deletion-requested.v1')?.consumers ?? []),
];

/** The keyed hash a suppression is matched by (the identifier itself is not kept). */
export function suppressionHash(tenantId: string, { kind, value }: Identifier): string {
  return createHash('sha256').update(`${tenantId}\u0000${kind}\u0000${value}`).digest('hex');
}

/** Every profile merged (directly or not) into `profileId`, and itself. */
export async function profileTree(manager: EntityManager, profileId: string): Promise<string[]> {
  const table = manager.getRepository(Profile).metadata.tablePath;
  const rows: { profile_id: string }[] = await manager.query(
    `WITH RECURSIVE tree AS (
       SELECT profile_id FROM ${table} WHERE profile_id = $1
       UNION SELECT p.profile_id FROM ${table} p JOIN tree t ON p.merged_into = t.profile_id)
     SELECT profile_id FROM tree`,
    [profileId],
  );
  return rows.length ? rows.map((r) => r.profile_id) : [profileId];
}

@Injectable()
export class SubjectRequestsService {
  constructor(private readonly transactions: Transactions) {}

  file(identity: VerifiedIdentity, body: SubjectRequestCreate): Promise<SubjectRequestView> {
    const tenantId = identity.tenantId;
    const named = this.namedIdentifier(tenantId, body.subject);
    return this.transactions.forTenant(tenantId, async (manager) => {
      const live = await findProfile(manager, [named]);
      const profileIds = live ? await profileTree(manager, live) : [];
      const held = profileIds.length
        ? await manager.findBy(ProfileIdentifier, { profileId: In(profileIds) })
        : [];
      const linked = uniqueIdentifiers([named, ...held.map(({ kind, value }) => ({ kind, value }))]);
      // The store's own customer ids of the subject's orders: the identity graph may not know them,
      // yet a later webhook naming one must not link the subject again.
      const identifiers = uniqueIdentifiers([
        ...linked,
        ...(await orderCustomerIds(manager, profileIds, linked)),
      ]);
      const request: PrivacyRequest = {
        requestId: randomUUID(),
        tenantId,
        type: body.type,
        status: body.type === 'export' ? 'completed' : 'pending',
        profileIds,
        requestedBy: identity.userId,
        requestedAt: new Date(),
        completedAt: body.type === 'export' ? new Date() : null,
      };
      await manager.insert(PrivacyRequest, request);
      if (body.type === 'export') {
        return {
          ...view(request, []),
          export: {
            identifiers: held.map((i) => ({
              kind: i.kind,
              value: i.value,
              profileId: i.profileId,
              firstSeenAt: i.firstSeenAt.toISOString(),
            })),
            ...(await exportedActivity(manager, profileIds)),
          },
        };
      }
      const parts = ERASING_SERVICES.map((service) => ({
        requestId: request.requestId,
        service,
        tenantId,
        status: 'pending' as const,
        erased: {},
        completedAt: null,
      }));
      await manager.insert(PrivacyRequestService, parts);
      await manager
        .createQueryBuilder()
        .insert()
        .into(SuppressedIdentifier)
        .values(
          identifiers.map((identifier) => ({
            suppressionId: randomUUID(),
            tenantId,
            kind: identifier.kind,
            valueHash: suppressionHash(tenantId, identifier),
            requestId: request.requestId,
          })),
        )
        .orIgnore()
        .execute();
      await addToOutbox(manager, 'privacy.subject.deletion-requested.v1', {
        tenantId,
        key: `${tenantId}:${request.requestId}`,
        payload: {
          tenantId,
          requestId: request.requestId,
          profileIds,
          identifiers,
          requestedAt: request.requestedAt.toISOString(),
        },
      });
      return view(request, parts);
    });
  }

  // A request and its services' parts are read in one snapshot (here and in `list`): a confirmation
  // committed between the two reads would show every service done and the request still pending.
  get(tenantId: string, requestId: string): Promise<SubjectRequestView> {
    return this.transactions.forTenant(
      tenantId,
      async (manager) => {
        const request = await manager.findOneBy(PrivacyRequest, { requestId });
        if (!request) throw ApiProblem.notFound(`No subject request ${requestId}.`);
        return view(request, await manager.findBy(PrivacyRequestService, { requestId }));
      },
      'REPEATABLE READ',
    );
  }

  list(tenantId: string, limit = 50): Promise<SubjectRequestView[]> {
    return this.transactions.forTenant(
      tenantId,
      async (manager) => {
        const requests = await manager.find(PrivacyRequest, { order: { requestedAt: 'DESC' }, take: limit });
        const parts = requests.length
          ? await manager.findBy(PrivacyRequestService, { requestId: In(requests.map((r) => r.requestId)) })
          : [];
        return requests.map((r) =>
          view(
            r,
            parts.filter((p) => p.requestId === r.requestId),
          ),
        );
      },
      'REPEATABLE READ',
    );
  }

  /** A service confirmed its erasure; the request completes when every service has. */
  async confirm(
    manager: EntityManager,
    requestId: string,
    service: string,
    erased: Record<string, number>,
    completedAt: Date,
  ): Promise<void> {
    // Confirmations of one request applied at once (two replicas, or the retry consumer beside the
    // main one) would each count the other's part as pending; the request row serialises them.
    await manager.findOne(PrivacyRequest, { where: { requestId }, lock: { mode: 'pessimistic_write' } });
    await manager.update(
      PrivacyRequestService,
      { requestId, service, status: 'pending' },
      { status: 'completed', erased, completedAt },
    );
    const pending = await manager.countBy(PrivacyRequestService, { requestId, status: 'pending' });
    if (pending === 0)
      await manager.update(
        PrivacyRequest,
        { requestId, status: 'pending' },
        { status: 'completed', completedAt },
      );
  }

  suppressions(tenantId: string): Promise<SuppressionView[]> {
    return this.transactions.forTenant(tenantId, async (manager) =>
      (await manager.find(SuppressedIdentifier, { order: { createdAt: 'DESC' } })).map((s) => ({
        suppressionId: s.suppressionId,
        kind: s.kind as SuppressionView['kind'],
        value: s.valueHash,
        requestId: s.requestId,
        createdAt: s.createdAt.toISOString(),
      })),
    );
  }

  lift(tenantId: string, suppressionId: string): Promise<void> {
    return this.transactions.forTenant(tenantId, async (manager) => {
      const result = await manager.delete(SuppressedIdentifier, { suppressionId });
      if (!result.affected) throw ApiProblem.notFound(`No suppression ${suppressionId}.`);
    });
  }

  private namedIdentifier(tenantId: string, subject: SubjectRequestCreate['subject']): Identifier {
    if (subject.userId) return { kind: 'userId', value: subject.userId };
    if (subject.anonymousId) return { kind: 'anonymousId', value: subject.anonymousId };
    return { kind: 'emailHash', value: hashCustomerEmail(subject.email!, tenantId) };
  }
}

/**
 * What ingestion holds of the subject's activity: the dedup records of their events (ingestion does
 * not keep event bodies: those are published and held by the consumers) and their orders.
 */
async function exportedActivity(manager: EntityManager, profileIds: string[]) {
  if (profileIds.length === 0) return { events: [], orders: [] };
  const events = await manager.find(TrackedMessage, {
    where: { profileId: In(profileIds) },
    order: { receivedAt: 'ASC' },
  });
  const orders = await manager.find(CommerceOrder, {
    where: { profileId: In(profileIds) },
    order: { updatedAt: 'ASC' },
  });
  return {
    events: events.map((e) => ({
      messageId: e.messageId,
      eventId: e.eventId,
      profileId: e.profileId,
      receivedAt: e.receivedAt.toISOString(),
    })),
    orders: orders.map((o) => ({
      orderId: o.orderId,
      provider: o.provider,
      profileId: o.profileId,
      revision: o.revision,
      state: o.state,
      updatedAt: o.updatedAt.toISOString(),
    })),
  };
}

/** The customer ids of the orders linked to the profiles or carrying one of the email hashes. */
async function orderCustomerIds(
  manager: EntityManager,
  profileIds: string[],
  identifiers: Identifier[],
): Promise<Identifier[]> {
  const emailHashes = identifiers.filter((i) => i.kind === 'emailHash').map((i) => i.value);
  const rows: { customer_id: string }[] = await manager.query(
    `SELECT DISTINCT state->'fields'->'customer'->'value'->>'id' AS customer_id FROM ingestion.orders
      WHERE (profile_id = ANY($1::uuid[]) OR state->'fields'->'customer'->'value'->>'emailHash' = ANY($2))
        AND state->'fields'->'customer'->'value' ? 'id'`,
    [profileIds, emailHashes],
  );
  return rows.map((r) => ({ kind: 'customerId' as const, value: r.customer_id }));
}

function uniqueIdentifiers(identifiers: Identifier[]): Identifier[] {
  const seen = new Map(identifiers.map((i) => [`${i.kind}\u0000${i.value}`, i]));
  return [...seen.values()];
}

function view(request: PrivacyRequest, parts: PrivacyRequestService[]): SubjectRequestView {
  return {
    requestId: request.requestId,
    type: request.type,
    status: request.status,
    profileIds: request.profileIds,
    requestedAt: request.requestedAt.toISOString(),
    completedAt: request.completedAt?.toISOString() ?? null,
    services: parts
      .sort((a, b) => a.service.localeCompare(b.service))
      .map((p) => ({
        service: p.service,
        status: p.status,
        erased: p.erased,
        completedAt: p.completedAt?.toISOString() ?? null,
      })),
  };
}
