import { ingestionOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { type IngestionConfig, loadIngestionConfig } from './config';
import { Profile, ProfileIdentifier } from './identity/profile.entity';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Identity1764400000000 } from './migrations/1764400000000-Identity';
import { Privacy1764700000000 } from './migrations/1764700000000-Privacy';
import { PrivacyRequest, PrivacyRequestService, SuppressedIdentifier } from './privacy/privacy.entities';
import { PrivacyModule } from './privacy/privacy.module';
import { SubjectRequestsConsumer } from './privacy/subject-requests.consumer';
import { Ping } from './pings/ping.entity';
import { PingsModule } from './pings/pings.module';

export const entities = [
  Ping,
  Profile,
  ProfileIdentifier,
  PrivacyRequest,
  PrivacyRequestService,
  SuppressedIdentifier,
];
export const migrations = [Initial1763800000000, Identity1764400000000, Privacy1764700000000];

export function ingestionService(
  config: IngestionConfig = loadIngestionConfig(),
): ServiceEntry<IngestionConfig> {
  return {
    definition: {
      name: 'ingestion',
      config,
      contract: ingestionOpenApiDocument,
      accessTokens: {
        jwksUrl: config.AUTH_JWKS_URL,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
      },
      database: { entities, migrations },
      subscribers: [SubjectRequestsConsumer],
    },
    features: [PingsModule, PrivacyModule],
  };
}
