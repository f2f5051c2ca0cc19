import { type DynamicModule, Module } from '@nestjs/common';
import type { IdentityOptions } from '@sextant/domain/ingestion';
import { SourceHealthModule } from '../source-health/source-health.module';
import { TrackingSettingsModule } from '../tracking-settings/tracking-settings.module';
import { EventAcceptance, IDENTITY_OPTIONS } from './event-acceptance';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';

@Module({})
export class TrackingModule {
  /** Global so that dead-letter replay accepts events through the same EventAcceptance. */
  static register(identity: IdentityOptions): DynamicModule {
    return {
      module: TrackingModule,
      global: true,
      imports: [TrackingSettingsModule, SourceHealthModule],
      controllers: [TrackingController],
      providers: [TrackingService, EventAcceptance, { provide: IDENTITY_OPTIONS, useValue: identity }],
      exports: [EventAcceptance],
    };
  }
}
