import { forecastingOpenApiDocument } from '@sextant/contracts';
import type { ClassType } from '@sextant/platform/database';
import type { ServiceEntry } from '@sextant/platform/service';
import { outboxBatchesMigration, outboxCompressionMigration } from '@sextant/platform/messaging';
import { type ForecastingConfig, loadForecastingConfig } from './config';
import { OrdersConsumer } from './demand/orders.consumer';
import { SubjectErasureConsumer } from './privacy/subject-erasure.consumer';
import { ForecastingModule } from './forecasting.module';
import { Initial1763800000000 } from './migrations/1763800000000-Initial';
import { Forecasting1764400000000 } from './migrations/1764400000000-Forecasting';

/** Tables are read and written with SQL (bulk upserts, row locks), so no entity classes. */
export const entities: ClassType[] = [];
export const migrations = [
  Initial1763800000000,
  Forecasting1764400000000,
  outboxBatchesMigration('forecasting'),
  outboxCompressionMigration('forecasting'),
];

export function forecastingService(
  config: ForecastingConfig = loadForecastingConfig(),
): ServiceEntry<ForecastingConfig> {
  return {
    definition: {
      name: 'forecasting',
      config,
      contract: forecastingOpenApiDocument,
      accessTokens: {
        jwksUrl: config.AUTH_JWKS_URL,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
      },
      database: { entities, migrations },
      subscribers: [OrdersConsumer, SubjectErasureConsumer],
      // History imports may come as CSV.
      configure: async (app) => {
        app
          .getHttpAdapter()
          .getInstance()
          .addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) =>
            done(null, body),
          );
      },
    },
    features: [ForecastingModule.forService(config)],
  };
}
