import { Module } from '@nestjs/common';
import { SourceHealthController } from './source-health.controller';
import { SourceHealthRecorder } from './source-health.recorder';
import { SourceHealthService } from './source-health.service';

@Module({
  controllers: [SourceHealthController],
  providers: [SourceHealthRecorder, SourceHealthService],
  exports: [SourceHealthRecorder],
})
export class SourceHealthModule {}
