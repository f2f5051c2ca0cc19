import { Injectable } from '@nestjs/common';
import type { ingestionApi } from '@sextant/contracts';
import { compileChannelRules, DEFAULT_CHANNEL_RULES, defaultChannel } from '@sextant/domain/ingestion';
import { ApiProblem } from '@sextant/platform/http';
import { Transactions } from '@sextant/platform/database';
import type { EntityManager } from 'typeorm';
import { NO_CONSENT_REQUIRED, type TrackingPolicy } from '../tracking/tracking-event';
import { TrackingSettingsRow } from './tracking-settings.entity';

type TrackingSettings = ingestionApi.components['schemas']['TrackingSettings'];
type TrackingSettingsView = ingestionApi.components['schemas']['TrackingSettingsView'];
type ChannelRule = ingestionApi.components['schemas']['ChannelRule'];

/** How long a replica keeps a tenant's compiled policy before reading it again. */
const POLICY_TTL_MS = 2_000;
const DEFAULT_POLICY: TrackingPolicy = {
  classifyChannel: defaultChannel,
  ownHosts: [],
  maxEventAgeDays: null,
  consentRequired: NO_CONSENT_REQUIRED,
};

@Injectable()
export class TrackingSettingsService {
  private readonly policies = new Map<string, { policy: TrackingPolicy; expires: number }>();

  constructor(private readonly transactions: Transactions) {}

  async view(tenantId: string): Promise<TrackingSettingsView> {
    const row = await this.transactions.forTenant(tenantId, (m) =>
      m.findOneBy(TrackingSettingsRow, { tenantId }),
    );
    return {
      channelRules: (row?.channelRules as ChannelRule[] | null) ?? null,
      ownHosts: row?.ownHosts ?? [],
      maxEventAgeDays: row?.maxEventAgeDays ?? null,
      consentRequired: row?.consentRequired ?? { attribution: [], analytics: [] },
      defaultChannelRules: DEFAULT_CHANNEL_RULES as unknown as ChannelRule[],
      updatedAt: row?.updatedAt.toISOString() ?? null,
    };
  }

  async replace(tenantId: string, settings: TrackingSettings): Promise<TrackingSettingsView> {
    if (settings.channelRules !== null) {
      const compiled = compileChannelRules(settings.channelRules);
      if (!compiled.ok)
        throw ApiProblem.badRequest(
          'The channel rules are not valid.',
          compiled.problems.map((p) => ({ field: `/body/channelRules${p.path}`, message: p.reason })),
        );
    }
    await this.transactions.forTenant(tenantId, (m) =>
      m.upsert(
        TrackingSettingsRow,
        {
          tenantId,
          channelRules: settings.channelRules,
          ownHosts: settings.ownHosts.map((h) => h.toLowerCase()),
          maxEventAgeDays: settings.maxEventAgeDays,
          consentRequired: settings.consentRequired ?? { attribution: [], analytics: [] },
          updatedAt: new Date(),
        },
        ['tenantId'],
      ),
    );
    this.policies.delete(tenantId);
    return this.view(tenantId);
  }

  /** The tenant's compiled policy, cached briefly (other replicas see a change within POLICY_TTL_MS). */
  async policy(tenantId: string, manager?: EntityManager, fresh = false): Promise<TrackingPolicy> {
    const cached = this.policies.get(tenantId);
    if (!fresh && cached && cached.expires > Date.now()) return cached.policy;
    const read = (m: EntityManager) => m.findOneBy(TrackingSettingsRow, { tenantId });
    const row = manager ? await read(manager) : await this.transactions.forTenant(tenantId, read);
    const policy = row ? compilePolicy(row) : DEFAULT_POLICY;
    this.policies.set(tenantId, { policy, expires: Date.now() + POLICY_TTL_MS });
    return policy;
  }
}

function compilePolicy(row: TrackingSettingsRow): TrackingPolicy {
  let classifyChannel = defaultChannel;
  if (row.channelRules !== null) {
    const compiled = compileChannelRules(row.channelRules);
    if (compiled.ok) classifyChannel = compiled.classify;
  }
  const lower = (categories: string[]) => categories.map((c) => c.toLowerCase());
  return {
    classifyChannel,
    ownHosts: row.ownHosts,
    maxEventAgeDays: row.maxEventAgeDays,
    consentRequired: {
      attribution: lower(row.consentRequired.attribution),
      analytics: lower(row.consentRequired.analytics),
    },
  };
}
