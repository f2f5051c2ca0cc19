import { RETENTION_DEFAULTS, retentionPurgeJob } from '@sextant/platform/database';

/** Ingestion's data classes: dedup records of accepted events and dead letters. */
export const RetentionPurgeJob = retentionPurgeJob('ingestion', [
  {
    dataClass: 'raw_events',
    purgeFunction: 'ingestion.purge_tracked_messages',
    defaultDays: RETENTION_DEFAULTS.rawEventsDays,
  },
  {
    dataClass: 'dead_letters',
    purgeFunction: 'ingestion.purge_dead_letters',
    defaultDays: RETENTION_DEFAULTS.deadLettersDays,
  },
]);
