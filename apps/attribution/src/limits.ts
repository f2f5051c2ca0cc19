/** Limits of the attribution API, from the service's configuration. */
export interface AttributionLimits {
  maxPeriodDays: number;
}

export const ATTRIBUTION_LIMITS = Symbol('ATTRIBUTION_LIMITS');
