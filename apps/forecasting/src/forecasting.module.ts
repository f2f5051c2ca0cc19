import { type DynamicModule, Module } from '@nestjs/common';
import { FORECASTING_CONFIG, type ForecastingConfig } from './config';
import { DemandHistory } from './demand/demand-history';
import { HistoryController } from './demand/history.controller';
import { OrdersConsumer } from './demand/orders.consumer';
import { SubjectErasureConsumer } from './privacy/subject-erasure.consumer';
import { ForecastJobsWorker } from './runs/forecast-jobs.worker';
import { RunResultsService } from './runs/run-results.service';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { ScheduleController } from './schedule/schedule.controller';
import { ScheduleService } from './schedule/schedule.service';

@Module({})
export class ForecastingModule {
  static forService(config: ForecastingConfig): DynamicModule {
    return {
      module: ForecastingModule,
      controllers: [HistoryController, RunsController, ScheduleController],
      providers: [
        { provide: FORECASTING_CONFIG, useValue: config },
        DemandHistory,
        OrdersConsumer,
        SubjectErasureConsumer,
        RunsService,
        RunResultsService,
        ForecastJobsWorker,
        ScheduleService,
      ],
    };
  }
}
