import { affectedRows, type ErasureRequest, type SubjectEraser } from '@sextant/platform/messaging';
import type { EntityManager } from 'typeorm';
import { Profile, ProfileIdentifier } from '../identity/profile.entity';

/** The identity graph: the subject's profiles and every identifier linked to them. */
export class IdentityEraser implements SubjectEraser {
  async erase(manager: EntityManager, request: ErasureRequest): Promise<Record<string, number>> {
    const identifiers = manager.getRepository(ProfileIdentifier).metadata.tablePath;
    const profiles = manager.getRepository(Profile).metadata.tablePath;
    const kinds = request.identifiers.map((i) => i.kind);
    const values = request.identifiers.map((i) => i.value);
    const linked = await manager.query(
      `DELETE FROM ${identifiers} WHERE profile_id = ANY($1::uuid[])
         OR (kind, value) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [request.profileIds, kinds, values],
    );
    const erasedProfiles = await manager.query(`DELETE FROM ${profiles} WHERE profile_id = ANY($1::uuid[])`, [
      request.profileIds,
    ]);
    return { profile_identifiers: affectedRows(linked), profiles: affectedRows(erasedProfiles) };
  }
}
