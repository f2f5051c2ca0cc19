import type { EventPayloads } from '@sextant/contracts';
import {
  attributeConversion,
  DAY_MS,
  RULE_BASED_MODELS,
  type RuleBasedModel,
} from '@sextant/domain/attribution';
import type { TenantSettings } from '../settings/tenant-settings';

type CreditMessage = EventPayloads['attribution.credit.computed.v1'];
export type ModelCredits = CreditMessage['models'];
export type CampaignCredit = ModelCredits['first_touch'][number];

/** A stored touch of a journey. */
export interface JourneyTouch {
  channel: string;
  campaign: string | null;
  touchedAt: Date;
}

/**
 * Credits of one conversion under every rule-based model, per channel and campaign. The domain
 * models credit "channels"; here a channel is the pair (channel, campaign), and the pairs of a
 * direct channel count as direct, so the direct-only rule still looks at the channel alone.
 */
export function ruleBasedJourneyCredits(
  touches: readonly JourneyTouch[],
  convertedAt: Date,
  revenueMinor: number,
  settings: TenantSettings,
): ModelCredits {
  const models = Object.fromEntries(RULE_BASED_MODELS.map((m) => [m, [] as CampaignCredit[]])) as Record<
    RuleBasedModel,
    CampaignCredit[]
  >;
  if (touches.length === 0) return models;
  const keyOf = (t: JourneyTouch) => JSON.stringify([t.channel, t.campaign]);
  const direct = new Set(settings.directChannels);
  const conversion = {
    touchpoints: touches.map((t) => ({ channel: keyOf(t), timestamp: t.touchedAt.getTime() })),
    conversionTime: convertedAt.getTime(),
    value: revenueMinor,
  };
  const options = {
    halfLifeMs: settings.halfLifeDays * DAY_MS,
    creditDirectOnlyWhenAllDirect: settings.creditDirectOnlyWhenAllDirect,
    directChannels: touches.filter((t) => direct.has(t.channel)).map(keyOf),
  };
  for (const model of RULE_BASED_MODELS) {
    const credits = attributeConversion(model, conversion, options);
    models[model] = Object.entries(credits)
      .filter(([, credit]) => credit.conversions > 0)
      .map(([key, credit]) => {
        const [channel, campaign] = JSON.parse(key) as [string, string | null];
        return { channel, campaign, conversions: credit.conversions, revenueMinor: credit.value };
      })
      .sort(
        (a, b) => a.channel.localeCompare(b.channel) || (a.campaign ?? '').localeCompare(b.campaign ?? ''),
      );
  }
  return models;
}
