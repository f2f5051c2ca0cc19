import { reportingOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { loadReportingConfig, type ReportingConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { PingArrival } from './pings/ping-arrival.entity';
import { PingArrivalsConsumer } from './pings/ping-arrivals.consumer';
import { PingsModule } from './pings/pings.module';
import { SubjectErasureConsumer } from './privacy/subject-erasure.consumer';

export const entities = [PingArrival];
export const migrations = [Initial1763800000000];

export function reportingService(
  config: ReportingConfig = loadReportingConfig(),
): ServiceEntry<ReportingConfig> {
  return {
    definition: {
      name: 'reporting',
      config,
      contract: reportingOpenApiDocument,
      accessTokens: {
        jwksUrl: config.AUTH_JWKS_URL,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
      },
      database: { entities, migrations },
      subscribers: [PingArrivalsConsumer, SubjectErasureConsumer],
    },
    features: [PingsModule],
  };
}
