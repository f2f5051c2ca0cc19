import { Module } from '@nestjs/common';
import { TrackingSettingsModule } from '../tracking-settings/tracking-settings.module';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';

@Module({
  imports: [TrackingSettingsModule],
  controllers: [DeadLettersController],
  providers: [DeadLettersService],
})
export class DeadLettersModule {}
