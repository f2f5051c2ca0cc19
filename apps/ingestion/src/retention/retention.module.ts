import { Module } from '@nestjs/common';
import { RetentionController } from './retention.controller';
import { RetentionPurgeJob } from './retention-purge.job';
import { RetentionService } from './retention.service';

@Module({
  controllers: [RetentionController],
  providers: [RetentionService, RetentionPurgeJob],
})
export class RetentionModule {}
