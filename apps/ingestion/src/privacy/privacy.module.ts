import { Module } from '@nestjs/common';
import { SubjectRequestsConsumer } from './subject-requests.consumer';
import { SubjectRequestsController } from './subject-requests.controller';
import { SubjectRequestsService } from './subject-requests.service';

@Module({
  controllers: [SubjectRequestsController],
  providers: [SubjectRequestsService, SubjectRequestsConsumer],
})
export class PrivacyModule {}
