import { Module } from '@nestjs/common';
import { PingArrivalsConsumer } from './ping-arrivals.consumer';
import { PingsController } from './pings.controller';

@Module({ controllers: [PingsController], providers: [PingArrivalsConsumer] })
export class PingsModule {}
