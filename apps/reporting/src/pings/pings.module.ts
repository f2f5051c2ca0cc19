import { Module } from '@nestjs/common';
import { SubjectErasureConsumer } from '../privacy/subject-erasure.consumer';
import { PingArrivalsConsumer } from './ping-arrivals.consumer';
import { PingsController } from './pings.controller';

@Module({ controllers: [PingsController], providers: [PingArrivalsConsumer, SubjectErasureConsumer] })
export class PingsModule {}
