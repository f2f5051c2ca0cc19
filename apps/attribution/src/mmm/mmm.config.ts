import { env } from '@sextant/platform/config';

/** Settings of the marketing-mix fit workers (part of attribution's configuration). */
export const mmmConfig = {
  MMM_MAX_CONCURRENT_FITS: env.int({
    doc: 'Marketing-mix fits one replica runs at the same time (each uses one worker thread per chain)',
    default: 1,
    min: 1,
    max: 16,
  }),
  MMM_FIT_STALE_SECONDS: env.int({
    doc: 'A queued or running fit whose worker has not reported for this long is reported failed',
    default: 120,
    min: 10,
    max: 86_400,
  }),
};

export interface MmmSettings {
  MMM_MAX_CONCURRENT_FITS: number;
  MMM_FIT_STALE_SECONDS: number;
}

export const MMM_SETTINGS = Symbol('MMM_SETTINGS');
