import { Module } from '@nestjs/common';
import { DetectionScheduler } from './detection-schedule';
import { SignalsController } from './signals.controller';
import { SignalsService } from './signals.service';

@Module({ controllers: [SignalsController], providers: [SignalsService, DetectionScheduler] })
export class SignalsModule {}
