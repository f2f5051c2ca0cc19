import { Module } from '@nestjs/common';
import { TrackingSettingsController } from './tracking-settings.controller';
import { TrackingSettingsService } from './tracking-settings.service';

@Module({
  controllers: [TrackingSettingsController],
  providers: [TrackingSettingsService],
  exports: [TrackingSettingsService],
})
export class TrackingSettingsModule {}
