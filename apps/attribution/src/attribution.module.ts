import { type DynamicModule, Module } from '@nestjs/common';
import type { AttributionConfig } from './config';
import { CreditsController } from './credits/credits.controller';
import { CreditsService } from './credits/credits.service';
import { JourneysConsumer } from './journeys/journeys.consumer';
import { ATTRIBUTION_LIMITS } from './limits';
import { SubjectErasureConsumer } from './privacy/subject-erasure.consumer';
import { RunWorker } from './runs/run-worker.consumer';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { SettingsController } from './settings/settings.controller';

/** Journeys, rule-based credits, data-driven runs and the attribution API. */
@Module({})
export class AttributionModule {
  static forConfig(config: AttributionConfig): DynamicModule {
    return {
      module: AttributionModule,
      controllers: [CreditsController, RunsController, SettingsController],
      providers: [
        { provide: ATTRIBUTION_LIMITS, useValue: { maxPeriodDays: config.ATTRIBUTION_MAX_PERIOD_DAYS } },
        CreditsService,
        RunsService,
        JourneysConsumer,
        RunWorker,
        SubjectErasureConsumer,
      ],
    };
  }
}
