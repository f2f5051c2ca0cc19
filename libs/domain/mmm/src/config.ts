import type { Prior } from './priors';
import type { AdstockKind, SaturationKind } from './transforms';

/** Weekly input series, one value per week, dates as ISO yyyy-mm-dd (Mondays or any fixed weekday). */
export interface MmmData {
  dates: string[];
  target: number[];
  channels: { name: string; spend: number[] }[];
  controls?: { name: string; values: number[] }[];
}

/** A lift test (geo experiment, conversion lift study) for one channel over a date range (inclusive). */
export interface LiftTest {
  channel: string;
  start: string;
  end: string;
  /** Measured incremental KPI over the whole period, in KPI units. */
  lift: number;
  /** Standard error of `lift`. */
  stdError: number;
}

export type Likelihood = 'normal' | 'truncated-normal';
/** `roi`: the channel's effect is parameterised by its ROI (Meridian-style prior); `coefficient`: by the saturation coefficient beta (PyMC-Marketing-style). */
export type ChannelEffect = 'roi' | 'coefficient';

export interface ChannelPriors {
  /** Prior on ROI (KPI units per spend unit) when channelEffect = 'roi'. */
  roi: Prior;
  /** Prior on beta (scaled KPI at full saturation) when channelEffect = 'coefficient'. */
  coefficient: Prior;
  /** geometric: alpha; weibull: shape, scale (weeks). */
  adstock: Prior[];
  /** logistic: lambda; hill: half_saturation, slope; michaelis-menten: half_saturation. */
  saturation: Prior[];
}

export interface MmmPriors {
  intercept: Prior;
  trend: Prior;
  seasonality: Prior;
  control: Prior;
  sigma: Prior;
  channel: ChannelPriors;
}

export interface MmmConfig {
  adstock: AdstockKind;
  /** Number of weeks of carry-over including the current one. */
  maxLag: number;
  /** Divide geometric weights by their sum (PyMC-Marketing's GeometricAdstock default). Weibull weights are always normalised. */
  normalizeAdstock: boolean;
  saturation: SaturationKind;
  likelihood: Likelihood;
  channelEffect: ChannelEffect;
  /** Fourier order of the yearly seasonality (0 for none). */
  seasonality: number;
  trend: boolean;
  /** Last weeks kept out of the fit and used for out-of-sample error. */
  holdoutWeeks: number;
  liftTests: LiftTest[];
  priors: MmmPriors;
  /** Per-channel overrides of `priors.channel`. */
  channelPriors: Record<string, Partial<ChannelPriors>>;
}

export const DEFAULT_ADSTOCK_PRIORS: Record<AdstockKind, Prior[]> = {
  geometric: [{ dist: 'beta', a: 1, b: 3 }],
  weibull: [
    { dist: 'gamma', shape: 3, rate: 2 },
    { dist: 'gamma', shape: 2, rate: 0.5 },
  ],
};

export const DEFAULT_SATURATION_PRIORS: Record<SaturationKind, Prior[]> = {
  logistic: [{ dist: 'gamma', shape: 3, rate: 1 }],
  hill: [
    { dist: 'gamma', shape: 2, rate: 2 },
    { dist: 'gamma', shape: 3, rate: 2 },
  ],
  'michaelis-menten': [{ dist: 'gamma', shape: 2, rate: 2 }],
};

export function defaultPriors(adstock: AdstockKind, saturation: SaturationKind): MmmPriors {
  return {
    intercept: { dist: 'normal', mu: 0, sigma: 2 },
    trend: { dist: 'normal', mu: 0, sigma: 1 },
    seasonality: { dist: 'normal', mu: 0, sigma: 1 },
    control: { dist: 'normal', mu: 0, sigma: 2 },
    sigma: { dist: 'halfNormal', sigma: 2 },
    channel: {
      roi: { dist: 'logNormal', mu: 0.2, sigma: 0.9 },
      coefficient: { dist: 'halfNormal', sigma: 2 },
      adstock: DEFAULT_ADSTOCK_PRIORS[adstock],
      saturation: DEFAULT_SATURATION_PRIORS[saturation],
    },
  };
}

export type MmmConfigInput = Partial<Omit<MmmConfig, 'priors'>> & { priors?: Partial<MmmPriors> };

export function resolveConfig(input: MmmConfigInput = {}): MmmConfig {
  const adstock = input.adstock ?? 'geometric';
  const saturation = input.saturation ?? 'logistic';
  const defaults = defaultPriors(adstock, saturation);
  return {
    adstock,
    maxLag: input.maxLag ?? 8,
    normalizeAdstock: input.normalizeAdstock ?? true,
    saturation,
    likelihood: input.likelihood ?? 'normal',
    channelEffect: input.channelEffect ?? 'roi',
    seasonality: input.seasonality ?? 2,
    trend: input.trend ?? true,
    holdoutWeeks: input.holdoutWeeks ?? 0,
    liftTests: input.liftTests ?? [],
    priors: { ...defaults, ...input.priors, channel: { ...defaults.channel, ...input.priors?.channel } },
    channelPriors: input.channelPriors ?? {},
  };
}
