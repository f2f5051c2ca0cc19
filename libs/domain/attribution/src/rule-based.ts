import { pathCount } from './path-table';
import { toChannelCredits, type ChannelCredits, type Conversion, type PathTable } from './types';

/**
 * Rule-based (heuristic) models. Each turns one converting path into weights per touch that sum to 1;
 * a channel's credit is the sum of its touches' weights times the conversions (and times the value).
 *
 * - `first_touch`: the first touch gets 1.
 * - `last_touch`: the last touch gets 1.
 * - `last_non_direct`: the last touch that is not direct gets 1 (the last direct touch when all are direct).
 * - `linear`: each of the n touches gets 1/n.
 * - `time_decay`: touch i gets 2^(-age_i / halfLife) / sum_j 2^(-age_j / halfLife), where
 *   age = conversion time - touch time and halfLife defaults to 7 days (Google Analytics' time decay).
 * - `position_based`: 40% to the first touch, 40% to the last, 20% shared equally by the touches
 *   between; a two-touch path is 50/50 and a one-touch path gets 100% (Google Analytics' position based).
 *
 * Direct touches get credit only when the whole path is direct (Google Analytics' rule): by default
 * they are removed from the path before a model is applied, unless every touch is direct.
 * Sources: Google Analytics help, "Attribution modeling overview" / "Default attribution models";
 * ChannelAttribution's `heuristic_models` (first, last, linear per touch).
 */
export type RuleBasedModel =
  'first_touch' | 'last_touch' | 'last_non_direct' | 'linear' | 'time_decay' | 'position_based';

export const RULE_BASED_MODELS: readonly RuleBasedModel[] = [
  'first_touch',
  'last_touch',
  'last_non_direct',
  'linear',
  'time_decay',
  'position_based',
];

export const DAY_MS = 86_400_000;

export interface RuleBasedOptions {
  /** Half-life of `time_decay`, in milliseconds. Default 7 days. */
  halfLifeMs?: number;
  /** Channel names that count as direct. Default `['direct', '(direct)']`. */
  directChannels?: readonly string[];
  /**
   * Google Analytics' rule: direct touches get credit only when every touch of the path is direct.
   * Default true. When false, only `last_non_direct` skips direct touches.
   */
  creditDirectOnlyWhenAllDirect?: boolean;
  /**
   * Paths without timestamps (aggregated path files): touch k of n is taken to be (n - 1 - k) steps of
   * this length older than the last touch, so `time_decay` weights it by 2^(-(n - 1 - k) * step / halfLife)
   * (only age differences matter after normalising). Default 1 day.
   */
  pathStepMs?: number;
}

interface ResolvedOptions {
  halfLifeMs: number;
  directChannels: ReadonlySet<string>;
  creditDirectOnlyWhenAllDirect: boolean;
  pathStepMs: number;
}

function resolve(options: RuleBasedOptions = {}): ResolvedOptions {
  const halfLifeMs = options.halfLifeMs ?? 7 * DAY_MS;
  const pathStepMs = options.pathStepMs ?? DAY_MS;
  if (!(halfLifeMs > 0)) throw new Error(`halfLifeMs must be positive, got ${halfLifeMs}`);
  if (!(pathStepMs >= 0)) throw new Error(`pathStepMs must be non-negative, got ${pathStepMs}`);
  return {
    halfLifeMs,
    pathStepMs,
    directChannels: new Set(options.directChannels ?? ['direct', '(direct)']),
    creditDirectOnlyWhenAllDirect: options.creditDirectOnlyWhenAllDirect ?? true,
  };
}

/**
 * Writes into `out[0..n)` the weight of each touch of one path under `model` (weights sum to 1).
 * `direct[k]` marks direct touches; `ages[k]` is the touch's age at conversion (any unit, same as halfLife).
 * `eligible` is scratch space of length >= n.
 */
function touchWeights(
  model: RuleBasedModel,
  n: number,
  direct: ArrayLike<number>,
  ages: ArrayLike<number>,
  halfLife: number,
  creditDirectOnlyWhenAllDirect: boolean,
  eligible: Int32Array,
  out: Float64Array,
): void {
  out.fill(0, 0, n);
  let m = 0;
  const skipDirect = creditDirectOnlyWhenAllDirect || model === 'last_non_direct';
  if (skipDirect) for (let k = 0; k < n; k++) if (!direct[k]) eligible[m++] = k;
  if (m === 0) for (let k = 0; k < n; k++) eligible[m++] = k;
  switch (model) {
    case 'first_touch':
      out[eligible[0]] = 1;
      return;
    case 'last_touch':
    case 'last_non_direct':
      out[eligible[m - 1]] = 1;
      return;
    case 'linear':
      for (let e = 0; e < m; e++) out[eligible[e]] += 1 / m;
      return;
    case 'position_based':
      if (m === 1) out[eligible[0]] = 1;
      else if (m === 2) {
        out[eligible[0]] = 0.5;
        out[eligible[1]] = 0.5;
      } else {
        out[eligible[0]] = 0.4;
        out[eligible[m - 1]] = 0.4;
        for (let e = 1; e < m - 1; e++) out[eligible[e]] = 0.2 / (m - 2);
      }
      return;
    case 'time_decay': {
      // Shift by the youngest age so that 2^(-age/halfLife) cannot underflow; the ratio is unchanged.
      let youngest = Infinity;
      for (let e = 0; e < m; e++) youngest = Math.min(youngest, ages[eligible[e]]);
      let total = 0;
      for (let e = 0; e < m; e++) {
        const w = Math.pow(2, -(ages[eligible[e]] - youngest) / halfLife);
        out[eligible[e]] = w;
        total += w;
      }
      for (let e = 0; e < m; e++) out[eligible[e]] /= total;
      return;
    }
  }
}

/**
 * Credits of one conversion under one rule-based model. Touches are taken in time order (ties keep
 * their given order).
 * Conversions sum to 1 and value to `conversion.value`.
 */
export function attributeConversion(
  model: RuleBasedModel,
  conversion: Conversion,
  options?: RuleBasedOptions,
): ChannelCredits {
  const o = resolve(options);
  const n = conversion.touchpoints.length;
  if (n === 0) throw new Error('a conversion needs at least one touchpoint');
  const touchpoints = [...conversion.touchpoints].sort((a, b) => a.timestamp - b.timestamp); // stable
  const direct = touchpoints.map((t) => (o.directChannels.has(t.channel) ? 1 : 0));
  const ages = touchpoints.map((t) => conversion.conversionTime - t.timestamp);
  const weights = new Float64Array(n);
  touchWeights(
    model,
    n,
    direct,
    ages,
    o.halfLifeMs,
    o.creditDirectOnlyWhenAllDirect,
    new Int32Array(n),
    weights,
  );
  const credits: ChannelCredits = {};
  touchpoints.forEach((t, k) => {
    const credit = (credits[t.channel] ??= { conversions: 0, value: 0 });
    credit.conversions += weights[k];
    credit.value += weights[k] * conversion.value;
  });
  return credits;
}

/**
 * Credits of every path of a table under the given rule-based models, in one pass over the
 * converting paths. When the table has `touchTimes`/`endTimes`, `time_decay` uses them; otherwise
 * touches are `pathStepMs` apart (see {@link RuleBasedOptions.pathStepMs}).
 */
export function ruleBasedCredits(
  table: PathTable,
  models: readonly RuleBasedModel[] = RULE_BASED_MODELS,
  options?: RuleBasedOptions,
): Record<RuleBasedModel, ChannelCredits> {
  const o = resolve(options);
  const channelCount = table.channels.length;
  const isDirect = Uint8Array.from(table.channels, (c) => (o.directChannels.has(c) ? 1 : 0));
  let longest = 0;
  for (let i = 0; i < pathCount(table); i++)
    longest = Math.max(longest, table.offsets[i + 1] - table.offsets[i]);
  const direct = new Uint8Array(longest);
  const ages = new Float64Array(longest);
  const eligible = new Int32Array(longest);
  const weights = new Float64Array(longest);
  const sums = models.map(() => ({
    conversions: new Float64Array(channelCount),
    value: new Float64Array(channelCount),
  }));
  const { offsets, touches, touchTimes, endTimes } = table;
  const timed = touchTimes !== undefined && endTimes !== undefined;
  for (let i = 0; i < pathCount(table); i++) {
    const conversions = table.conversions[i];
    if (conversions === 0) continue;
    const value = table.value[i];
    const start = offsets[i];
    const n = offsets[i + 1] - start;
    for (let k = 0; k < n; k++) {
      direct[k] = isDirect[touches[start + k]];
      ages[k] = timed ? endTimes[i] - touchTimes[start + k] : (n - 1 - k) * o.pathStepMs;
    }
    for (let m = 0; m < models.length; m++) {
      touchWeights(
        models[m],
        n,
        direct,
        ages,
        o.halfLifeMs,
        o.creditDirectOnlyWhenAllDirect,
        eligible,
        weights,
      );
      const sum = sums[m];
      for (let k = 0; k < n; k++) {
        const w = weights[k];
        if (w === 0) continue;
        const channel = touches[start + k];
        sum.conversions[channel] += w * conversions;
        sum.value[channel] += w * value;
      }
    }
  }
  const result = {} as Record<RuleBasedModel, ChannelCredits>;
  models.forEach((model, m) => {
    result[model] = toChannelCredits(table.channels, sums[m].conversions, sums[m].value);
  });
  return result;
}
