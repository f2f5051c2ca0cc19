import { reportingOpenApiDocument } from '@sextant/contracts';
import type { ServiceEntry } from '@sextant/platform/service';
import { outboxBatchesMigration, outboxCompressionMigration } from '@sextant/platform/messaging';
import { loadReportingConfig, type ReportingConfig } from './config';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Marts1795979475453 } from './migrations/1795979475453-Marts';
import { LiveEvents1795982735948 } from './migrations/1795982735948-LiveEvents';
import { SignalDelivery1795990000000 } from './migrations/1795990000000-SignalDelivery';
import { ReadRollups1796000000000 } from './migrations/1796000000000-ReadRollups';
import { MartVersions1796000100000 } from './migrations/1796000100000-MartVersions';
import { DropRedundantDayIndex1796000200000 } from './migrations/1796000200000-DropRedundantDayIndex';
import { DashboardsModule } from './dashboards/dashboards.module';
import { ExportsModule } from './exports/exports.module';
import { MartsConsumer } from './marts/marts.consumer';
import { MartsModule } from './marts/marts.module';
import { LiveEvent } from './live/live-event.entity';
import { registerLiveSocket } from './live/live-socket';
import { LiveModule } from './live/live.module';
import { MART_ENTITIES } from './marts/marts.entities';
import { PingArrival } from './pings/ping-arrival.entity';
import { SIGNAL_ENTITIES } from './signals/signals.entities';
import { SignalsModule } from './signals/signals.module';
import { PingArrivalsConsumer } from './pings/ping-arrivals.consumer';
import { PingsModule } from './pings/pings.module';
import { ReportingConfigModule } from './reporting-config.module';
import { SettingsModule } from './settings/settings.controller';
import { WebhooksModule } from './webhooks/webhooks.module';
import { SubjectErasureConsumer } from './privacy/subject-erasure.consumer';

export const entities = [PingArrival, ...MART_ENTITIES, ...SIGNAL_ENTITIES, LiveEvent];
export const migrations = [
  Initial1763800000000,
  Marts1795979475453,
  LiveEvents1795982735948,
  SignalDelivery1795990000000,
  ReadRollups1796000000000,
  MartVersions1796000100000,
  DropRedundantDayIndex1796000200000,
  outboxBatchesMigration('reporting'),
  outboxCompressionMigration('reporting'),
];

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
      subscribers: [PingArrivalsConsumer, MartsConsumer, SubjectErasureConsumer],
      configure: (app, logger) => registerLiveSocket(app, logger),
    },
    features: [
      ReportingConfigModule.forConfig(config),
      PingsModule,
      MartsModule.forConfig(config),
      DashboardsModule,
      SignalsModule,
      ExportsModule,
      LiveModule,
      SettingsModule,
      WebhooksModule,
    ],
  };
}
