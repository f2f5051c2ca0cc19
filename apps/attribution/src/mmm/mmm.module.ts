import { type DynamicModule, Module } from '@nestjs/common';
import { DatasetsController } from './datasets.controller';
import { DatasetsService } from './datasets.service';
import { MmmFitRunner } from './fit-runner';
import { FitsController } from './fits.controller';
import { FitsService } from './fits.service';
import { MMM_SETTINGS, type MmmSettings } from './mmm.config';
import { MmmConsumer } from './mmm.consumer';

/** The marketing-mix model: datasets, spend from events, fits as jobs, results and budgets. */
@Module({})
export class MmmModule {
  static forRoot(settings: MmmSettings): DynamicModule {
    return {
      module: MmmModule,
      controllers: [DatasetsController, FitsController],
      providers: [
        { provide: MMM_SETTINGS, useValue: settings },
        DatasetsService,
        FitsService,
        MmmFitRunner,
        MmmConsumer,
      ],
    };
  }
}
