import { affectedRows, type ErasureRequest, type SubjectEraser } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';

/**
 * A subject's journey: touchpoints and merge records are deleted. Conversions stay (an order's
 * revenue and its credits per channel/campaign are not personal data, and reports are built on
 * them) but lose their profile, in the column and in the credits snapshot. The MMM tables
 * (daily spend, datasets, fits) and run results hold aggregates only: nothing to erase there.
 */
export class JourneyEraser implements SubjectEraser {
  async erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>> {
    const profiles = [request.profileIds];
    const touchpoints = await manager.query(
      `DELETE FROM attribution.touchpoints WHERE profile_id = ANY($1::uuid[])`,
      profiles,
    );
    const merges = await manager.query(
      `DELETE FROM attribution.merged_profiles
        WHERE profile_id = ANY($1::uuid[]) OR merged_profile_id = ANY($1::uuid[])`,
      profiles,
    );
    const conversions = await manager.query(
      `UPDATE attribution.conversions
          SET profile_id = NULL,
              credits = CASE WHEN credits ? 'profileId' THEN jsonb_set(credits, '{profileId}', 'null') ELSE credits END
        WHERE profile_id = ANY($1::uuid[])`,
      profiles,
    );
    return {
      touchpoints: affectedRows(touchpoints),
      merged_profiles: affectedRows(merges),
      conversions: affectedRows(conversions),
    };
  }
}
