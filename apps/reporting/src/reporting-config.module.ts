import { type DynamicModule, Global, Module } from '@nestjs/common';
import { REPORTING_CONFIG, type ReportingConfig } from './config';

/** Makes the validated configuration injectable (`@Inject(REPORTING_CONFIG)`) in every feature. */
@Global()
@Module({})
export class ReportingConfigModule {
  static forConfig(config: ReportingConfig): DynamicModule {
    return {
      module: ReportingConfigModule,
      providers: [{ provide: REPORTING_CONFIG, useValue: config }],
      exports: [REPORTING_CONFIG],
    };
  }
}
